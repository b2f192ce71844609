// The Markdown of bench/sandboxes-bench.mjs: tables first, then what they say, computed from the
// figures (so that a re-run's conclusions follow its own numbers, not the last run's).
import { cpus } from "node:os";
import { formatBytes } from "./units.mjs";

const fix = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");
const mbps = (bytes, s) => bytes / s / 1e6;
const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const GOAL = 0.85;

/** Where the CPU went; "rest": all cores' busy time minus the named ones (the shapers, other load). */
function cpuSplit(r) {
  const c = r.cpu;
  const all = r.cpuBusy * r.seconds * cpus().length;
  const rest = all - c.coordinator - c.workers - c.sourceHub - c.destHub - c.shapers;
  return [c.coordinator, c.workers, c.sourceHub, c.destHub, c.shapers, rest].map((x) => fix(x)).join(" / ");
}

function scalingTable(opts, rows) {
  const cap = opts.capBytes / 1e6;
  const out = [
    "| workers | links | wall | first byte | aggregate MB/s | N × cap | ratio | goal ≥ 0.85 | CPU busy (all cores) | busy just before (others' load) | CPU s: coordinator / workers / source hub / dest hub / shapers / rest | coordinator peak RSS | workers' peak RSS (max / sum) | through the links (src down / dst up) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const rate = mbps(r.bytes, r.seconds);
    const ideal = r.n * cap;
    const ratio = r.shaped ? rate / ideal : NaN;
    const peaks = r.workerPeaksMiB;
    out.push(
      [
        r.n,
        r.shaped ? `${opts.down} / ${opts.up} each` : "direct (unshaped)",
        `${fix(r.seconds)} s`,
        `${fix(r.firstByte, 2)} s`,
        fix(rate),
        r.shaped ? fix(ideal, 0) : "-",
        r.shaped ? fix(ratio, 2) : "-",
        r.shaped ? (ratio >= GOAL ? "met" : "**not met**") : "-",
        `${fix(r.cpuBusy * 100, 0)}%`,
        `${fix(r.background * 100, 0)}%`,
        cpuSplit(r),
        `${fix(r.selfPeakMiB, 0)} MiB`,
        peaks.length
          ? `${fix(Math.max(...peaks), 0)} / ${fix(
              peaks.reduce((a, b) => a + b, 0),
              0,
            )} MiB (${peaks.length} seen)`
          : "-",
        r.shaped ? `${fix(r.links.src.down / 1e6, 0)} / ${fix(r.links.dst.up / 1e6, 0)} MB` : "-",
      ]
        .join(" | ")
        .replace(/^/, "| ")
        .concat(" |"),
    );
  }
  return out;
}

/** Whether the CPU is what held a shaped run below its goal (the cores near full while it ran). */
function verdict(r, cap) {
  if (mbps(r.bytes, r.seconds) / (r.n * cap) >= GOAL) return ": the links, not the CPU, set its rate";
  return r.cpuBusy >= 0.85
    ? ": the CPU, not the links, capped it"
    : ": below its goal with CPU to spare, so something other than the CPU held it";
}

/** Where the goal stops holding, and what the unshaped runs say the ceiling is. */
function scalingWords(opts, rows) {
  const cap = opts.capBytes / 1e6;
  const shaped = rows.filter((r) => r.shaped);
  const direct = rows.filter((r) => !r.shaped);
  const ceiling = Math.max(...direct.map((r) => mbps(r.bytes, r.seconds)), 0);
  const words = [];
  const met = shaped.filter((r) => mbps(r.bytes, r.seconds) / (r.n * cap) >= GOAL).map((r) => r.n);
  const missed = shaped.filter((r) => !met.includes(r.n)).map((r) => r.n);
  words.push(
    `- Goal (≥ ${GOAL} × N × ${fix(cap, 0)} MB/s): met for N = ${met.join(", ") || "none"}${missed.length ? `; not met for N = ${missed.join(", ")}` : ""}.`,
  );
  if (direct.length) {
    const top = direct.reduce((a, b) => (mbps(a.bytes, a.seconds) >= mbps(b.bytes, b.seconds) ? a : b));
    const widest = direct.reduce((a, b) => (a.n >= b.n ? a : b));
    const wide = mbps(widest.bytes, widest.seconds);
    words.push(
      `- Unshaped, the hubs and this machine move at most ${fix(ceiling)} MB/s (${top.n} worker(s), all cores ${fix(top.cpuBusy * 100, 0)}% busy), and ${fix(wide)} MB/s with ${widest.n} workers: N × cap reaches the ${widest.n}-worker figure at N ≈ ${fix(wide / cap, 1)}. Beyond that point the machine's CPU, not the links, is what a run measures.`,
    );
  }
  const top = shaped.at(-1);
  if (top) {
    const c = top.cpu;
    const own = c.coordinator + c.workers + c.sourceHub + c.destHub + c.shapers;
    const cores = cpus().length;
    words.push(
      `- With ${top.n} shaped workers this bench's own processes used ${fix(own / top.seconds, 2)} of the ${cores} cores (the ${2 * top.n} shapers alone ${fix(c.shapers / top.seconds, 2)}, the workers ${fix(c.workers / top.seconds, 2)}, the two hubs ${fix((c.sourceHub + c.destHub) / top.seconds, 2)}, the coordinator ${fix(c.coordinator / top.seconds, 2)}), all cores ${fix(top.cpuBusy * 100, 0)}% busy with others' load${verdict(top, cap)}.`,
    );
  }
  const bg = median(rows.map((r) => r.background));
  words.push(
    `- Others' load (this machine is shared): the cores were ${fix(bg * 100, 0)}% busy (median) in the 2 s before each run, while this bench did nothing; the "rest" CPU column is that load during the run. Whatever it takes is not there for the hubs and workers.`,
  );
  const one = direct.find((r) => r.n === 1);
  const many = direct.filter((r) => r.n > 1).at(-1);
  if (one && many) {
    const perWorker = (many.cpu.workers - one.cpu.workers) / (many.n - 1);
    words.push(
      `- Each worker beyond the first costs about ${fix(perWorker, 1)} CPU s for the same bytes (workers' CPU, unshaped: ${fix(one.cpu.workers)} s with 1, ${fix(many.cpu.workers)} s with ${many.n}): starting Node with the single-file bundle, its own plan and listing, its event stream. On 2 cores that fixed cost is paid while the others move bytes.`,
    );
  }
  for (const r of shaped)
    if (r.links.src.down < r.bytes || r.links.dst.up < r.bytes)
      words.push(
        `- WARNING N = ${r.n}: fewer bytes crossed the workers' links than the repo holds: something bypassed them.`,
      );
  for (const r of rows)
    if (r.replaced)
      words.push(
        `- N = ${r.n}${r.shaped ? "" : " (unshaped)"}: ${r.replaced} worker(s) failed and were replaced.`,
      );
  return words;
}

function roundTripTable(rt) {
  const out = [
    "| runner | time to first byte, median (per round) | total, median (per round) | control-plane RPCs per run |",
    "| --- | --- | --- | --- |",
  ];
  const each = (xs) => `${fix(median(xs), 2)} s (${xs.map((x) => fix(x, 2)).join(", ")})`;
  for (const r of rt)
    out.push(
      `| \`--runner ${r.runner}\`${r.sandboxes ? ` \`--sandboxes ${r.sandboxes}\`` : ""} | ${each(r.runs.map((x) => x.firstByte))} | ${each(r.runs.map((x) => x.total))} | ${r.runner === "modal" ? fix(median(r.runs.map((x) => x.rpcs)), 0) : "-"} |`,
    );
  return out;
}

function roundTripWords(rt) {
  const med = (runner, sandboxes) => {
    const r = rt.find((x) => x.runner === runner && x.sandboxes === sandboxes);
    return r
      ? { total: median(r.runs.map((x) => x.total)), first: median(r.runs.map((x) => x.firstByte)) }
      : undefined;
  };
  const local = med("local");
  const proc = med("process");
  const modal = med("modal");
  const words = [];
  if (local && proc)
    words.push(
      `- A sandbox worker at all (process runner: the bundle in a fresh child process, events relayed) adds ${fix(proc.total - local.total, 2)} s to the total and ${fix(proc.first - local.first, 2)} s to the first byte over --runner local.`,
    );
  if (modal && proc && local)
    words.push(
      `- The Modal control plane (local, loopback: sandbox create, the bundle written through the file tool, exec, stdin, output streamed back) adds ${fix(modal.total - proc.total, 2)} s over the process runner: ${fix(((modal.total - proc.total) / modal.total) * 100, 0)}% of the small repo's ${fix(modal.total, 2)} s total (all sandbox overhead, modal − local: ${fix(((modal.total - local.total) / modal.total) * 100, 0)}%). Over the internet, each of those RPCs costs a round trip to Modal and the sandbox's cold start on top.`,
    );
  return words;
}

export function renderSandboxes({
  opts,
  machine,
  scale,
  rt,
  modalWhy,
  coordinatorMaxRssMiB,
  minutes,
  command,
  date,
}) {
  const out = [
    `# \`migrate --sandboxes N\` benchmark ${date}`,
    "",
    ...machine.map((l) => `- ${l}`),
    "- Hubs: two `hubferry serve` processes on loopback (the source store holds the repo on both faces; a fresh destination hub per measurement, so no object is already stored there). Other agents share this machine: its load is part of the figures.",
    `- Measured in ${fix(minutes, 1)} min (after seeding); the bench process's peak RSS over the whole run (\`process.resourceUsage().maxRSS\`, seeding included): ${fix(coordinatorMaxRssMiB, 0)} MiB.`,
    "",
  ];
  const dirs = Object.values(scale);
  if (dirs.length) {
    out.push(
      `## Scaling: ${opts.files} × ${formatBytes(opts.sizeMiB * 2 ** 20)} LFS files, N process-runner workers`,
      "",
      "The library's `migrate()` with `workers: { count: N, start }`: `start` runs each worker with `runInSandbox` and the",
      "`ProcessProvider` (the single-file bundle in a scrubbed child process), worker k behind its own two shaped links",
      `(bench/shaper.mjs): one in front of the source hub capped at ${opts.down} down, one in front of the destination hub capped`,
      `at ${opts.up} up, so the binding cap per worker is ${fix(opts.capBytes / 1e6, 0)} MB/s. The coordinator (this process) lists and commits`,
      "through the hubs directly. Aggregate MB/s = plan bytes / wall time from `migrate()` start to its return; every",
      'destination is checked file by file (size and sha256) against the seed. "First byte": the first `file_progress` with',
      "bytes > 0 a worker relayed. CPU busy: all cores, from /proc/stat over the run (the hubs, the shapers, the workers and",
      "the coordinator together). Workers' peak RSS: each worker process's VmHWM, read from /proc while it ran (the",
      "process runner does not hand out its children, and /usr/bin/time cannot wrap them).",
      "",
    );
    for (const d of dirs) {
      out.push(`### ${d.label}`, "", ...scalingTable(opts, d.rows), "", ...scalingWords(opts, d.rows), "");
    }
  }
  if (rt.length) {
    out.push(
      "## Control-plane round trip: a small repo (4 small text files + one 1 MiB LFS file)",
      "",
      "The real CLI (`hubferry migrate hf:… ms:… --runner R --yes --json`, a child process) from spawn to the first byte moved",
      "(first `file_progress` with bytes > 0, or the first `file_done`) and to its exit. `modal`: the real `modal` SDK in the",
      "CLI against the tests' local Modal control plane (test/helpers/modal-control-plane/, in the bench process, loopback),",
      `whose sandboxes are local child processes: what is measured is hubferry's and the SDK's own cost, not Modal's cold start. ${opts.rounds} rounds, the runners alternating.`,
      "",
    );
    if (modalWhy) out.push(`Modal rows left out: ${modalWhy}.`, "");
    out.push(...roundTripTable(rt), "", ...roundTripWords(rt), "");
  }
  out.push(`Reproduce: \`${command}\``, "");
  return out.join("\n");
}
