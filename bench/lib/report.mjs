// The results as Markdown: per shape and direction, every measurement's median and spread over
// the rounds, the ratios (computed per round, then summarised), the processes' resources, the no-op.
import { formatBytes, formatRate } from "./units.mjs";

export const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const finite = (xs) => xs.filter(Number.isFinite);
const fix = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "-");
const spread = (xs, d = 2) => {
  const f = finite(xs);
  return f.length > 1 ? `${Math.min(...f).toFixed(d)}–${Math.max(...f).toFixed(d)}` : "-";
};
/** "1.23× (1.10–1.40)" over the rounds. */
const summary = (xs, unit = "×") => {
  const f = finite(xs);
  if (!f.length) return "-";
  const s = spread(f);
  return `${fix(median(f))}${unit}${s === "-" ? "" : ` (${s})`}`;
};

export const DIRECTIONS = {
  hf2ms: { label: "HF → ModelScope", from: "hf", to: "ms" },
  ms2hf: { label: "ModelScope → HF", from: "ms", to: "hf" },
};

/** Per-round derived series of one direction's runs. */
export function series(d) {
  const secs = (runs) => (runs ?? []).map((r) => r?.seconds ?? NaN);
  const read = secs(d.read);
  const upload = secs(d.upload);
  const limit = read.map((x, i) => Math.max(x, upload[i] ?? NaN));
  const hubferry = secs(d.hubferry);
  const sequential = secs(d.sequential);
  const pipe = secs(d.pipe);
  return {
    read,
    upload,
    limit,
    pipe,
    hubferry,
    sequential,
    noop: secs(d.noop),
    hubferryOverLimit: hubferry.map((x, i) => x / limit[i]),
    sequentialOverHubferry: sequential.map((x, i) => x / hubferry[i]),
    hubferryOverPipe: hubferry.map((x, i) => x / pipe[i]),
  };
}

function shapeTable(shape, rounds) {
  const lines = [
    "| direction | measure | seconds (median) | min–max | MB/s | × limit |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const [key, dirInfo] of Object.entries(DIRECTIONS)) {
    const d = shape.dirs[key];
    if (!d) continue;
    const s = series(d);
    const lim = median(s.limit);
    const row = (what, xs, extra = "") => {
      const m = median(xs);
      lines.push(
        `| ${dirInfo.label} | ${what} | ${fix(m)} | ${spread(xs)} | ${Number.isFinite(m) ? formatRate(shape.totalBytes / m) : "-"} | ${Number.isFinite(m) && Number.isFinite(lim) ? `${fix(m / lim)}×` : "-"}${extra} |`,
      );
    };
    row(`read the source alone (${shape.streams} streams, to /dev/null)`, s.read);
    row("upload alone: the same bytes from memory into the destination", s.upload);
    row("**limit**: the slower of the two", s.limit);
    row("naive pipe: source → destination, no hashing, no checks", s.pipe);
    row("**hubferry migrate**", s.hubferry);
    const seq = d.sequential ?? [];
    const parts = seq.length
      ? ` (download ${fix(median(seq.map((r) => r.download_s)))} s + upload ${fix(median(seq.map((r) => r.upload_s)))} s)`
      : "";
    row(`**sequential**: official snapshot_download, then upload_folder${parts}`, s.sequential);
  }
  if (rounds > 1) lines.push("", `Medians over ${rounds} rounds; min–max is the spread.`);
  return lines;
}

function ratiosTable(shapes) {
  const lines = [
    "| shape | direction | hubferry / limit | sequential / hubferry | hubferry / naive pipe | hubferry MB/s |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const shape of shapes) {
    if (shape.skipped) continue;
    for (const [key, dirInfo] of Object.entries(DIRECTIONS)) {
      const d = shape.dirs[key];
      if (!d) continue;
      const s = series(d);
      lines.push(
        `| ${shape.name} | ${dirInfo.label} | ${summary(s.hubferryOverLimit)} | ${summary(s.sequentialOverHubferry)} | ${summary(s.hubferryOverPipe)} | ${Number.isFinite(median(s.hubferry)) ? formatRate(shape.totalBytes / median(s.hubferry)) : "-"} |`,
      );
    }
  }
  return lines;
}

function processTable(shapes) {
  const lines = [
    "| shape | direction | process | wall s | peak RSS | written to disk | CPU s per GB | requests to the hubs |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  const names = {
    hubferry: "hubferry migrate",
    sequential: "sequential (both clients)",
    read: "read alone",
    upload: "upload alone",
    pipe: "naive pipe",
  };
  for (const shape of shapes) {
    if (shape.skipped) continue;
    const gb = shape.totalBytes / 1e9;
    for (const [key, dirInfo] of Object.entries(DIRECTIONS)) {
      const d = shape.dirs[key];
      if (!d) continue;
      for (const [what, label] of Object.entries(names)) {
        const runs = (d[what] ?? []).filter(Boolean);
        if (!runs.length) continue;
        const m = (f) => median(runs.map(f));
        const req = m((r) => r.requests);
        lines.push(
          `| ${shape.name} | ${dirInfo.label} | ${label} | ${fix(m((r) => r.wall))} | ${fix(
            m((r) => r.rssMiB),
            0,
          )} MiB | ${formatBytes(m((r) => r.diskWritesBytes))} | ${fix(m((r) => r.cpuSeconds) / gb)} | ${Number.isFinite(req) ? req : "-"} |`,
        );
      }
    }
  }
  return lines;
}

function noopTable(shapes) {
  const lines = [
    "| shape | direction | seconds (median) | min–max | requests: destination + source |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const shape of shapes) {
    if (shape.skipped) continue;
    for (const [key, dirInfo] of Object.entries(DIRECTIONS)) {
      const runs = (shape.dirs[key]?.noop ?? []).filter(Boolean);
      if (!runs.length) continue;
      const xs = runs.map((r) => r.seconds);
      lines.push(
        `| ${shape.name} | ${dirInfo.label} | ${fix(median(xs))} | ${spread(xs)} | ${median(runs.map((r) => r.destRequests))} + ${median(runs.map((r) => r.srcRequests))} |`,
      );
    }
  }
  return lines;
}

/** One face's link in words. */
const linkWords = (l) =>
  `hub egress (downloads) ${l.down ?? "unlimited"}, hub ingress (uploads) ${l.up ?? "unlimited"}, per TCP connection ${l.perConnection ?? "unlimited"} each way, added round trip ${l.latency ?? "0ms"}`;

function describeShaping({ hf, ms }) {
  const where = "shaped by bench/shaper.mjs in front of every hub";
  if (JSON.stringify(hf) === JSON.stringify(ms)) return `${where}: ${linkWords(hf)}`;
  return `${where}, one proxy per face: HF clients get ${linkWords(hf)}; ModelScope clients get ${linkWords(ms)}`;
}

export function renderReport({ date, quick, rounds, shaping, command, machine, shapes }) {
  const link = shaping ? describeShaping(shaping) : "loopback, not shaped";
  const out = [
    `# Migration benchmark ${date}${quick ? " (quick)" : ""}`,
    "",
    ...machine.map((l) => `- ${l}`),
    `- Hubs: \`hubferry serve\`, one process and store per hub (a fresh destination hub for every measurement); network: ${link}.`,
    `- Rounds: ${rounds}. hubferry and the sequential method are timed as whole processes (start-up included); the limits time the transfer alone.`,
    "",
    "## Ratios",
    "",
    "Per round, then median (min–max). limit = max(read alone, upload alone): with download and upload",
    "overlapped, no copy can beat the slower side. sequential / hubferry > 1 means hubferry is faster.",
    "",
    ...ratiosTable(shapes),
    "",
  ];
  for (const shape of shapes) {
    out.push(`## ${shape.title}`, "", `${shape.desc}.`, "");
    if (shape.skipped) {
      out.push(`Skipped: ${shape.skipped}`, "");
      continue;
    }
    out.push(...shapeTable(shape, rounds), "");
    for (const n of shape.notes) out.push(`- ${n}`);
    if (shape.notes.length) out.push("");
  }
  out.push(
    "## Processes",
    "",
    "Each under `/usr/bin/time -v` (median over the rounds). Peak RSS: the largest single process",
    "(the sequential method runs each client in its own process). Written to disk: the file system",
    "outputs of the process and its children. Requests: counted by the hubs (source + destination).",
    "",
    ...processTable(shapes),
    "",
    "## No-op re-run",
    "",
    "hubferry migrate again onto the destination it just filled: everything is already there.",
    "",
    ...noopTable(shapes),
    "",
    `Reproduce: \`${command}\``,
    "",
  );
  return out.join("\n");
}
