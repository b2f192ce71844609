// The any-to-any results as Markdown: one table (seconds, bytes through hubferry, hub requests,
// peak RSS, disk written, CPU), the ratios in plain words, and what each method added or said.
import { formatBytes } from "./units.mjs";

const fix = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "-");
const size = (n) => (Number.isFinite(n) ? formatBytes(n) : "-");

const PAIRS = [
  ["1. HF → HF", "hfDuplicate", "hfStream"],
  ["2. ModelScope → ModelScope", "msHubferry", "msSequential"],
  ["3. folder → HF", "folderHubferry", "folderSequential"],
];

function row(copy, m, totalBytes) {
  if (!m) return undefined;
  if (m.failed)
    return `| ${copy} | ${m.label.split(": ")[1]} | FAILED: ${m.failed.replaceAll("|", "/")} | | | | | | |`;
  // The official clients report no bytes: the whole repo passes through them (down and up, or up).
  const through = m.bytes ?? (m.python ? (m.python.download_s > 0 ? 2 : 1) * totalBytes : undefined);
  return `| ${copy} | ${m.label.split(": ")[1]} | ${fix(m.seconds)} | ${size(through)}${m.bytes === undefined ? " (whole repo)" : ""} | ${m.requests} | ${fix(m.rssMiB, 0)} MiB | ${size(m.diskWritesBytes)} | ${fix(m.cpuSeconds)} | yes |`;
}

function ratio(a, b, what) {
  if (!a || !b || a.failed || b.failed) return undefined;
  const r = b.seconds / a.seconds;
  return `${what}: ${fix(a.seconds)} s against ${fix(b.seconds)} s, ${r >= 1 ? `${fix(r)}× faster` : `${fix(1 / r)}× slower`}; peak RSS ${fix(a.rssMiB, 0)} against ${fix(b.rssMiB, 0)} MiB; written to disk ${size(a.diskWritesBytes)} against ${size(b.diskWritesBytes)}.`;
}

export function renderAnyToAny({
  date,
  quick,
  command,
  machine,
  shape,
  totalBytes,
  sha,
  rows,
  sequentialSkipped,
}) {
  const lines = [
    `# Any-to-any copies on one local hub (${date}${quick ? ", quick" : ""})`,
    "",
    `Command: \`${command}\``,
    "",
    ...machine.map((m) => `- ${m}`),
    `- Repo: shape (a), ${shape}, seeded as hf:bench/a and ms:bench/a on one \`hubferry serve\` (one store, both API faces, loopback, unshaped).`,
    "- One round. Every copy goes into a new repo on that hub (the hub dedups LFS objects per repo, so none is skipped) and is checked byte for byte (sha256 of every file) before the next starts.",
    "- Each method is one child process under `/usr/bin/time -v`, start-up included: seconds (wall), peak RSS (the largest process), bytes it wrote to disk, CPU seconds (user + system, children included). The hub is another process: what it stores is not in these figures.",
    `- Streaming HF → HF is forced with \`--revision ${sha.slice(0, 12)}…\` (the head commit of main): migrate.ts takes the server-side duplicate only for a new destination on the same hub and endpoint with no --include/--exclude, no --revision, the same repo type and no sandboxes.`,
    '- "Bytes through" is the `bytes` of hubferry\'s `summary` event; for the official clients it is the whole repo once per step. "Requests" counts every request the hub served during the run (its stats route).',
    "",
    "| copy | method | seconds | bytes through | requests | peak RSS | disk written | CPU s | verified |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const [copy, a, b] of PAIRS) for (const k of [a, b]) lines.push(row(copy, rows[k], totalBytes));
  const conclusions = [
    ratio(rows.hfDuplicate, rows.hfStream, "HF → HF, server-side duplicate against streaming"),
    ratio(
      rows.msHubferry,
      rows.msSequential,
      "ModelScope → ModelScope, hubferry against the official clients",
    ),
    ratio(rows.folderHubferry, rows.folderSequential, "folder → HF, hubferry against upload_folder"),
  ].filter(Boolean);
  lines.push("", "## Ratios", "", ...conclusions.map((c) => `- ${c}`));
  const said = [];
  for (const m of Object.values(rows)) {
    if (!m || m.failed) continue;
    if (m.notes?.length) said.push(`- ${m.label}, hubferry said: ${m.notes.map((n) => `“${n}”`).join("; ")}`);
    if (m.extra?.length)
      said.push(`- ${m.label}: files beyond the source's at the destination: ${m.extra.join(", ")}`);
    said.push(
      `- ${m.label}: hub routes ${Object.entries(m.routes)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
  }
  if (sequentialSkipped) said.push(`- official clients skipped: ${sequentialSkipped}`);
  lines.push("", "## What each run said and asked of the hub", "", ...said, "");
  return `${lines.filter((l) => l !== undefined).join("\n")}\n`;
}
