#!/usr/bin/env node
// Start-up benchmark: how long `hubferry --version`, `--help`, `tree` (the ecosystem map) and one
// subcommand's help take, from dist/ (bin/hubferry.js) and from the single-file bundle, beside a bare
// `node -e 0` on the same machine in the same run. Each command is spawned N times (default 20);
// the rounds are interleaved (every command once per round, in a fresh shuffled order) so the
// machine's noise falls on all of them alike. Reports medians and the delta over `node -e 0`.
// Results: bench/results/startup.md (or --out). `npm run bench:startup` builds dist/ first.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const log = (s) => process.stderr.write(`${s}\n`);
const USAGE = `usage: node bench/startup-bench.mjs [--runs N] [--out FILE]   (npm run bench:startup)

  --runs N     spawns of each command (default 20)
  --out FILE   where the Markdown goes (default bench/results/startup.md)
`;

function parseArgs(argv) {
  const o = { runs: 20, out: join(root, "bench/results/startup.md") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--runs") {
      o.runs = Math.round(Number(argv[++i]));
      if (!(o.runs > 0)) throw new Error(`--runs: a whole number > 0\n\n${USAGE}`);
    } else if (a === "--out") o.out = argv[++i];
    else if (a === "--help" || a === "-h") o.help = true;
    else throw new Error(`unknown option ${a}\n\n${USAGE}`);
  }
  return o;
}

const bin = join(root, "bin/hubferry.js");
const bundle = join(root, "bundle/hubferry.mjs");
const COMMANDS = [
  { from: "node", label: "node -e 0", args: ["-e", "0"] },
  ...[
    ["dist", bin],
    ["bundle", bundle],
  ].flatMap(([from, file]) =>
    [["--version"], ["--help"], ["tree"], ["migrate", "--help"], ["migrate"]].map((argv) => ({
      from,
      label: `hubferry ${argv.join(" ")}`,
      args: [file, ...argv],
      // `migrate` with no source: the action loads (all of migrate's code) and refuses, exit 2,
      // before any network; what a command that runs pays for start-up.
      status: argv.length === 1 && argv[0] === "migrate" ? 2 : 0,
    })),
  ),
];

/** One spawn, wall-clock ms from spawn to exit; a command that fails makes the whole bench fail. */
function timeOnce(cmd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, cmd.args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== (cmd.status ?? 0) || (cmd.from !== "node" && !r.stdout && !r.stderr))
    throw new Error(`${cmd.from}: ${cmd.label} failed (exit ${r.status}): ${r.stderr.trim().slice(0, 400)}`);
  return ms;
}

function shuffled(list) {
  const a = [...list];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function render(rows, opts, started) {
  const base = rows[0].median;
  const c = cpus();
  const lines = [
    "# Start-up",
    "",
    `Run ${started.toISOString().slice(0, 16).replace("T", " ")} UTC by \`node bench/startup-bench.mjs\` ` +
      `(\`npm run bench:startup\`): each command spawned ${opts.runs} times, rounds interleaved in a ` +
      "shuffled order, wall-clock from spawn to exit, stdout and stderr piped. Goal (the issue " +
      '"Instant and cached"): `--version`, `--help` and `tree` within 50 ms of `node -e 0`. ' +
      "`hubferry migrate` (no source: refused with exit 2 once its code is loaded, before any network) " +
      "shows what a command that runs pays. The bundle is two stages in one file (scripts/bundle.mjs): " +
      "a launcher with the commands' definitions, and the whole CLI, compiled only when a command runs.",
    "",
    `Machine: nproc ${c.length} (${(c[0]?.model ?? "cpu").replace(/\s+/g, " ").trim()}), Node ${process.version}, ` +
      `load average at start ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" / ")}`,
    "",
    "| from | command | median ms | min ms | max ms | Δ vs `node -e 0` ms |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
    ...rows.map(
      (r) =>
        `| ${r.from} | \`${r.label}\` | ${r.median.toFixed(1)} | ${r.min.toFixed(1)} | ${r.max.toFixed(1)} | ` +
        `${r === rows[0] ? "—" : `${r.median - base >= 0 ? "+" : ""}${(r.median - base).toFixed(1)}`} |`,
    ),
    "",
  ];
  return lines.join("\n");
}

const opts = parseArgs(process.argv.slice(2));
if (opts.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
for (const f of [join(root, "dist/cli/main.js"), bundle])
  if (!existsSync(f)) throw new Error(`${f} is missing: run npm run build (and npm run bundle)`);
const started = new Date();
const times = new Map(COMMANDS.map((c) => [c, []]));
// One warm-up round, not counted: the first spawns pay for a cold page cache.
for (const c of COMMANDS) timeOnce(c);
for (let round = 0; round < opts.runs; round++) {
  for (const c of shuffled(COMMANDS)) times.get(c).push(timeOnce(c));
  log(`round ${round + 1}/${opts.runs}`);
}
const rows = COMMANDS.map((c) => {
  const t = times.get(c);
  return { ...c, median: median(t), min: Math.min(...t), max: Math.max(...t) };
});
const md = render(rows, opts, started);
mkdirSync(dirname(opts.out), { recursive: true });
writeFileSync(opts.out, md);
process.stdout.write(md);
log(`wrote ${opts.out}`);
