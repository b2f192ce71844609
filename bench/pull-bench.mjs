#!/usr/bin/env node
// Download benchmark: one large file pulled from a local hub (`hubferry serve`) through a shaping
// proxy that caps every TCP connection (default 50 MB/s, one stream from a CDN), by hubferry's own
// `pull` and by its peers, side by side in one run: `hf download` (huggingface_hub 2.4.0, default
// settings; this hub offers no Xet), the last 0.x client (0.36.2) with hf_transfer, and
// `aria2c -x 8 -s 8`, the download side's physical limit. Each method and round gets a fresh empty
// output folder and a fresh proxy (its connections counted alone); the result's sha256 is checked
// against the seeded file (a wrong file fails the bench); wall time, peak RSS and disk writes come
// from /usr/bin/time -v. Goals (the project's issue): hubferry >= 0.9x aria2c and >= 5x
// `hf download`. `--help` for the options. Results: bench/results/pull.md (or --out).
// `npm run bench:pull`.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { isClosing } from "./lib/children.mjs";
import { startHub, startShaper } from "./lib/hubs.mjs";
import { describeMachine, freeBytes } from "./lib/machine.mjs";
import { baseEnv, TOKENS } from "./lib/measure.mjs";
import { optionValue } from "./lib/option-value.mjs";
import { idleLoad, watch } from "./lib/proc-watch.mjs";
import { median } from "./lib/report.mjs";
import { scratchDir } from "./lib/scratch.mjs";
import { seedSource } from "./lib/seed.mjs";
import { safetensorsHead } from "./lib/shapes.mjs";
import { benchOptions } from "./lib/start.mjs";
import { HAVE_TIME, timed } from "./lib/timed.mjs";
import { formatBytes, GiB, MiB, parseRate, parseSize } from "./lib/units.mjs";

const root = new URL("..", import.meta.url).pathname;
const log = (s) => process.stderr.write(`${s}\n`);
const KEYS = ["hubferry", "hubferry-cache", "hf", "hf_transfer", "aria2c"];
const USAGE = `npm run bench:pull [-- options]

  --size SIZE            the file pulled, e.g. 64MiB, 1GiB, 5GiB (default 1GiB; quick: 64MiB)
  --per-connection RATE  cap of each TCP connection, e.g. 50MB/s (default 50MB/s)
  --down RATE            cap of the whole link, every connection together (default none)
  --rounds N             rounds; the report gives medians (default 2; quick: 1)
  --methods LIST         some of ${KEYS.join(",")} (default all)
  --streams N,N,...      also hubferry pull --output with HUBFERRY_RANGE_STREAMS=N (default: none,
                           hubferry runs with its default)
  --out FILE             where the Markdown goes (default bench/results/pull.md)
  --quick                64 MiB, 1 round
  --help                 this text
`;

function parseArgs(argv) {
  const o = { perConnection: "50MB/s", methods: KEYS, streams: [], quick: false };
  const value = (i) => optionValue(argv, i, USAGE);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") o.help = true;
    else if (a === "--quick") o.quick = true;
    else if (a === "--size") o.size = parseSize(value(i++));
    else if (a === "--per-connection") o.perConnection = value(i++);
    else if (a === "--down") o.down = value(i++);
    else if (a === "--out") o.out = resolve(value(i++));
    else if (a === "--rounds") {
      o.rounds = Number(value(i++));
      if (!Number.isInteger(o.rounds) || o.rounds < 1) throw new Error("--rounds: a whole number >= 1");
    } else if (a === "--methods") {
      o.methods = [...new Set(value(i++).split(","))];
      for (const m of o.methods)
        if (!KEYS.includes(m)) throw new Error(`--methods: unknown method "${m}" (${KEYS.join(", ")})`);
    } else if (a === "--streams") {
      o.streams = [...new Set(value(i++).split(",").map(Number))];
      if (o.streams.some((n) => !Number.isInteger(n) || n < 1 || n > 16))
        throw new Error("--streams: whole numbers from 1 to 16, comma-separated");
    } else throw new Error(`unknown option ${a} (--help lists them)`);
  }
  parseRate(o.perConnection);
  if (o.down) parseRate(o.down);
  o.size ??= o.quick ? 64 * MiB : GiB;
  o.rounds ??= o.quick ? 1 : 2;
  o.out ??= join(root, "bench/results/pull.md");
  return o;
}

const opts = benchOptions(parseArgs, USAGE, "npm run bench:pull");
if (!HAVE_TIME) log("note: /usr/bin/time is missing, so peak RSS and disk writes are not measured.");

const NAME = "pullbench";
const REPO = `bench/${NAME}`;
const FILE = "model.safetensors";
const HF = { v2: join(root, ".venv/hf/bin/hf"), v0: join(root, ".venv/hfpeers/bin/hf") };
const ARIA2C = "/usr/bin/aria2c";
const hubferryBin = join(root, "bin/hubferry.js");

/** The snapshot file of an HF cache layout (models--bench--NAME/snapshots/COMMIT/FILE). */
async function inCache(cache) {
  const snaps = join(cache, `models--bench--${NAME}`, "snapshots");
  const commits = existsSync(snaps) ? await readdir(snaps) : [];
  if (commits.length !== 1) throw new Error(`${cache}: ${commits.length} snapshots, not 1`);
  return join(snaps, commits[0], FILE);
}

/**
 * Every method: its row's label, why it cannot run here (or undefined), and its command in a run
 * folder `c.out` against the hub at `c.url`; `file(c)` is where the downloaded file lands.
 */
function methods() {
  const pull = (label, extraEnv = {}, key = "hubferry") => ({
    key,
    label,
    goal: Object.keys(extraEnv).length === 0,
    missing: () => undefined,
    command: (c) => ({
      cmd: process.execPath,
      argv: [hubferryBin, "pull", "model", REPO, "--output", c.out, "--json"],
      env: extraEnv,
    }),
    file: (c) => join(c.out, FILE),
  });
  const hfMissing = (bin) => () =>
    existsSync(bin) ? undefined : `${bin.slice(root.length)} is missing: run \`npm run setup\``;
  const all = [
    pull("hubferry pull --output DIR"),
    {
      key: "hubferry-cache",
      label: "hubferry pull (HF cache layout)",
      goal: true,
      missing: () => undefined,
      command: (c) => ({
        cmd: process.execPath,
        argv: [hubferryBin, "pull", "model", REPO, "--json"],
        env: { HF_HUB_CACHE: c.out },
      }),
      file: (c) => inCache(c.out),
    },
    {
      key: "hf",
      label: "hf download --local-dir DIR (huggingface_hub 2.4.0)",
      missing: hfMissing(HF.v2),
      command: (c) => ({ cmd: HF.v2, argv: ["download", REPO, "--local-dir", c.out], env: {} }),
      file: (c) => join(c.out, FILE),
    },
    {
      key: "hf_transfer",
      label: "hf download --local-dir DIR + hf_transfer (huggingface_hub 0.36.2)",
      missing: hfMissing(HF.v0),
      command: (c) => ({
        cmd: HF.v0,
        argv: ["download", REPO, "--local-dir", c.out],
        env: { HF_HUB_ENABLE_HF_TRANSFER: "1" },
      }),
      file: (c) => join(c.out, FILE),
    },
    {
      key: "aria2c",
      label: "aria2c -x 8 -s 8 (resolve URL)",
      missing: () => (existsSync(ARIA2C) ? undefined : `${ARIA2C} is missing`),
      command: (c) => ({
        cmd: ARIA2C,
        argv: [
          "-x",
          "8",
          "-s",
          "8",
          "-k",
          "1M",
          "--file-allocation=none",
          "--summary-interval=0",
          "--console-log-level=warn",
          "-d",
          c.out,
          `${c.url}/${REPO}/resolve/main/${FILE}`,
        ],
        env: {},
      }),
      file: (c) => join(c.out, FILE),
    },
  ].filter((m) => opts.methods.includes(m.key));
  if (opts.methods.includes("hubferry"))
    all.splice(
      1,
      0,
      ...opts.streams.map((n) =>
        pull(`hubferry pull --output DIR, HUBFERRY_RANGE_STREAMS=${n}`, {
          HUBFERRY_RANGE_STREAMS: String(n),
        }),
      ),
    );
  return all.map((m, i) => ({ ...m, id: `${m.key}-${i}` }));
}

async function sha256Of(path) {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MiB })) h.update(chunk);
  return h.digest("hex");
}

const versionOf = (cmd, argv) => {
  try {
    return execFileSync(cmd, argv, { encoding: "utf8", timeout: 60_000 }).trim();
  } catch {
    return "unavailable";
  }
};

/**
 * The 0.x client's own answer: does it take the hf_transfer code path with the variable set
 * (constants.HF_HUB_ENABLE_HF_TRANSFER and an importable hf_transfer)? And the 2.x client's.
 */
function transferCheck() {
  const code =
    "import huggingface_hub as h; from huggingface_hub import constants as c\n" +
    "try:\n import hf_transfer as t; tv = t.__version__\nexcept ImportError: tv = None\n" +
    "print(h.__version__, bool(getattr(c, 'HF_HUB_ENABLE_HF_TRANSFER', False)), tv)";
  const out = {};
  for (const [k, bin] of Object.entries(HF)) {
    const py = join(dirname(bin), "python");
    if (!existsSync(py)) continue;
    try {
      const [hub, enabled, t] = execFileSync(py, ["-W", "ignore", "-c", code], {
        encoding: "utf8",
        timeout: 60_000,
        env: { PATH: process.env.PATH, HF_HUB_ENABLE_HF_TRANSFER: "1" },
      })
        .trim()
        .split(" ");
      out[k] = { hub, enabled: enabled === "True", transfer: t === "None" ? undefined : t };
    } catch {}
  }
  return out;
}

/** The program's last words before /usr/bin/time's report (one line, at most 300 characters). */
function whyFailed(r) {
  const text = r.err.split(/\n(?:Command exited with non-zero status|\tCommand being timed)/)[0];
  const lines = `${r.out}\n${text}`.split("\n").filter((l) => l.trim());
  return (lines.at(-1) ?? "no output").trim().slice(0, 300);
}

/** One method, one round: a fresh folder and proxy, the run timed, the file checked, all removed. */
async function measure(ctx, m, round) {
  const runDir = join(ctx.dir, `run-${m.id}-${round}`);
  const out = join(runDir, "out");
  await mkdir(out, { recursive: true });
  const proxy = await startShaper(ctx.hub.direct, ctx.link);
  let link;
  try {
    const c = { out, url: proxy.url };
    const { cmd, argv, env } = m.command(c);
    const w = watch({ everyMs: 1000, pids: { hub: ctx.hub.pid, shaper: proxy.pid } });
    const r = await timed(
      cmd,
      argv,
      {
        ...baseEnv({ dir: runDir }),
        HF_ENDPOINT: proxy.url,
        HUBFERRY_CACHE: join(runDir, "meta"),
        ...env,
      },
      { timeoutMs: 120_000 + (opts.size / 2e6) * 1000 },
    );
    const usage = w.stop();
    link = await proxy.stop();
    if (r.code !== 0) return { failed: `exit ${r.code}: ${whyFailed(r)}` };
    let path;
    let size;
    try {
      path = await m.file(c);
      size = (await stat(path)).size;
    } catch (err) {
      return { failed: `the downloaded file is not where it should be: ${err.message}` };
    }
    if (size !== ctx.file.size) return { failed: `${path}: ${size} bytes, not ${ctx.file.size}` };
    const sha = await sha256Of(path);
    if (sha !== ctx.file.sha256) return { failed: `${path}: sha256 ${sha}, not ${ctx.file.sha256}` };
    if (link && link.down < ctx.file.size)
      ctx.warnings.add(
        `${m.label}: ${link.down} bytes crossed the shaper, fewer than the file's ${ctx.file.size}`,
      );
    return {
      wall: r.seconds,
      rssMiB: r.rssMiB,
      diskWritesBytes: r.diskWritesBytes,
      cpuSeconds: r.cpuSeconds,
      hubCpu: usage.cpu.hub,
      shaperCpu: usage.cpu.shaper,
      busy: usage.cpuBusy,
      connections: link?.connections ?? NaN,
      down: link?.down ?? NaN,
    };
  } finally {
    await proxy.stop();
    await rm(runDir, { recursive: true, force: true });
  }
}

const fix = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");
const ratio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "-");

function summarise(ctx, list) {
  const rows = list.map((m) => {
    const runs = ctx.results.get(m.id) ?? [];
    const ok = runs.filter((r) => !r.failed);
    const med = (f) => (ok.length ? median(ok.map(f)) : NaN);
    return {
      m,
      runs,
      ok,
      wall: med((r) => r.wall),
      min: ok.length ? Math.min(...ok.map((r) => r.wall)) : NaN,
      max: ok.length ? Math.max(...ok.map((r) => r.wall)) : NaN,
      rssMiB: med((r) => r.rssMiB),
      diskWritesBytes: med((r) => r.diskWritesBytes),
      cpuSeconds: med((r) => r.cpuSeconds),
      hubCpu: med((r) => r.hubCpu),
      shaperCpu: med((r) => r.shaperCpu),
      busy: med((r) => r.busy),
      connections: med((r) => r.connections),
      down: med((r) => r.down),
    };
  });
  const wallOf = (key) => rows.find((r) => r.m.key === key && r.ok.length)?.wall ?? NaN;
  const aria = wallOf("aria2c");
  const hf = wallOf("hf");
  for (const r of rows) {
    r.mbps = ctx.file.size / 1e6 / r.wall;
    r.vsAria = aria / r.wall;
    r.vsHf = hf / r.wall;
  }
  return rows;
}

function goalLines(rows) {
  const mark = (x, goal) => (Number.isFinite(x) ? (x >= goal ? "met" : "missed") : "not measured");
  const lines = [];
  for (const r of rows.filter((x) => x.m.goal && x.ok.length))
    lines.push(
      `| ${r.m.label} | throughput vs aria2c -x 8 -s 8 | ${ratio(r.vsAria)} | >= 0.9× | ${mark(r.vsAria, 0.9)} |`,
      `| ${r.m.label} | throughput vs hf download | ${ratio(r.vsHf)} | >= 5× | ${mark(r.vsHf, 5)} |`,
    );
  if (!lines.length) return ["No hubferry row at its default settings was measured."];
  return ["| method | measure | measured | goal | |", "| --- | --- | --- | --- | --- |", ...lines];
}

function render(ctx, rows) {
  const shaping = `${opts.perConnection} per connection${opts.down ? `, ${opts.down} for the whole link` : ", no total cap"}`;
  const out = [
    `# Download: one ${formatBytes(ctx.file.size)} file, ${shaping} (${new Date().toISOString().slice(0, 10)})`,
    "",
    ...ctx.machine.map((l) => `- ${l}`),
    `- Hub: \`hubferry serve\` on this machine, the file seeded as LFS in \`hf:${REPO}\` (public); every download goes through bench/shaper.mjs (${shaping}), a fresh proxy per method and round (the connections are counted alone). The shaper, the hub and the client share the machine's CPUs.`,
    `- Rounds: ${opts.rounds}; the methods run one after the other within a round, in a rotated order each round. Each run: a fresh empty output folder, HOME and caches; the file's sha256 checked against the seed; then the folder deleted.`,
    "",
    "| method | wall s (median) | min–max | MB/s | × aria2c | × hf download | peak RSS | disk writes | CPU s: client / hub / shaper | machine busy | connections |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    if (!r.ok.length) {
      const why = r.m.skipped ?? `FAILED: ${r.runs.find((x) => x.failed)?.failed.split("\n")[0] ?? "?"}`;
      out.push(`| ${r.m.label} | ${why.replaceAll("|", "\\|")} | | | | | | | | | |`);
      continue;
    }
    out.push(
      `| ${r.m.label} | ${fix(r.wall, 2)} | ${fix(r.min, 2)}–${fix(r.max, 2)} | ${fix(r.mbps, 0)} | ${ratio(r.vsAria)} | ${ratio(r.vsHf)} | ${fix(r.rssMiB, 0)} MiB | ${formatBytes(r.diskWritesBytes)} | ${fix(r.cpuSeconds, 1)} / ${fix(r.hubCpu, 1)} / ${fix(r.shaperCpu, 1)} | ${fix(r.busy * 100, 0)}% | ${fix(r.connections, 0)} |`,
    );
  }
  const failedRuns = rows.flatMap((r) =>
    r.runs.filter((x) => x.failed).map((x) => `- ${r.m.label}, round ${x.round}: ${x.failed.split("\n")[0]}`),
  );
  out.push(
    "",
    "Wall: the whole process under `/usr/bin/time -v` (start-up and metadata requests included); MB/s = file size (10^6 bytes) / median wall. Ratios: the other method's median wall over this one's (higher is faster). Peak RSS: the largest single process; disk writes: bytes the process tree wrote to the filesystem (`File system outputs` × 512). CPU s: the client's process tree, the hub's and the shaper's CPU seconds over the run (the three share the machine's cores); machine busy: the share of all cores busy over the run, whoever used them. Connections: TCP connections the method opened through its proxy, metadata included.",
    "",
    "## Goals",
    "",
    ...goalLines(rows),
    "",
  );
  const t = ctx.transfer;
  out.push(
    "## Notes",
    "",
    `- hf_transfer: huggingface_hub >= 1.0 ignores \`HF_HUB_ENABLE_HF_TRANSFER\` (its constants.py: "hf_transfer is not used anymore"); the peer runs the last 0.x client from \`.venv/hfpeers\` (test/interop/python/requirements-hfpeers.txt). With the variable set, ${t.v0 ? `huggingface_hub ${t.v0.hub} reports HF_HUB_ENABLE_HF_TRANSFER=${t.v0.enabled} and hf_transfer ${t.v0.transfer ?? "not importable"}` : "the 0.x client is not installed"}${t.v2 ? `; huggingface_hub ${t.v2.hub} reports ${t.v2.enabled}` : ""}. The 0.x client hands a file over 5 × 10 MiB to hf_transfer (up to 100 ranged connections of 10 MiB chunks); the connection count above is the evidence it did.`,
    `- hubferry runs with its default range settings (HUBFERRY_RANGE_STREAMS unset: ${ctx.defaultStreams} streams per large file): under a per-connection cap that bounds it at ${ctx.defaultStreams} × ${opts.perConnection} = ${fix((ctx.defaultStreams * parseRate(opts.perConnection)) / 1e6, 0)} MB/s, ${ctx.defaultStreams}× one connection, whatever else it does${opts.streams.length ? `; the extra rows set HUBFERRY_RANGE_STREAMS and are not judged against the goals` : ""}.`,
    "- `hf download` (2.4.0) reads the file over one connection: at a per-connection cap its throughput is that cap, so `× hf download` measures how many connections' worth a method gets.",
  );
  for (const w of ctx.warnings) out.push(`- Warning: ${w}`);
  if (failedRuns.length) out.push("", "## Failed runs", "", ...failedRuns);
  out.push("", `Command: \`${ctx.command}\``, "");
  return out.join("\n");
}

function shortTable(rows) {
  const w = Math.max(...rows.map((r) => r.m.label.length));
  const lines = [
    `${"method".padEnd(w)} ${"wall s".padStart(7)} ${"MB/s".padStart(6)} ${"×aria2c".padStart(8)} ${"×hf".padStart(6)} ${"conns".padStart(6)}`,
  ];
  for (const r of rows)
    lines.push(
      r.ok.length
        ? `${r.m.label.padEnd(w)} ${fix(r.wall, 2).padStart(7)} ${fix(r.mbps, 0).padStart(6)} ${ratio(r.vsAria).padStart(8)} ${ratio(r.vsHf).padStart(6)} ${fix(r.connections, 0).padStart(6)}`
        : `${r.m.label.padEnd(w)} ${r.m.skipped ? `skipped: ${r.m.skipped}` : "FAILED"}`,
    );
  return `${lines.join("\n")}\n`;
}

const { dir, cleanup } = await scratchDir("hubferry-pull-bench-", log);
let failures = 0;
try {
  const need = 2 * opts.size + GiB;
  if (freeBytes(tmpdir()) < need)
    throw new Error(
      `${tmpdir()} has ${formatBytes(freeBytes(tmpdir()))} free; this run needs ${formatBytes(need)}`,
    );
  const usersFile = join(dir, "users.yaml");
  await writeFile(
    usersFile,
    `users:\n  - name: bench\n    admin: true\n    tokens:\n      - { value: ${TOKENS.hf} }\n      - { value: ${TOKENS.ms} }\n`,
  );
  const others = await idleLoad(3000);
  const machine = describeMachine(tmpdir()).map((l) =>
    l.startsWith("Software:")
      ? `${l.replace(/; official clients: .*/, "")}; peers: ${versionOf(join(dirname(HF.v2), "python"), ["-c", "import huggingface_hub as m; print('huggingface_hub ' + m.__version__)"])}, ${versionOf(join(dirname(HF.v0), "python"), ["-c", "import huggingface_hub as m, hf_transfer as t; print(f'huggingface_hub {m.__version__} + hf_transfer {t.__version__}')"])}, ${versionOf(ARIA2C, ["--version"]).split("\n")[0]}`
      : l,
  );
  machine.push(
    `Others' load: ${(others * 100).toFixed(0)}% of all cores busy over 3 s before the bench started (the machine is shared)`,
  );
  const { DEFAULT_STREAMS } = await import(join(root, "dist/transfer/range-settings.js"));
  log(`seeding hf:${REPO} with one ${formatBytes(opts.size)} file...`);
  const storeRoot = join(dir, "store");
  const [file] = await seedSource(storeRoot, NAME, [
    { path: FILE, size: opts.size, salt: 30, kind: "large", head: safetensorsHead(opts.size) },
  ]);
  const hub = await startHub(storeRoot, usersFile);
  const ctx = {
    dir,
    hub,
    file,
    machine,
    link: { perConnection: opts.perConnection, down: opts.down },
    warnings: new Set(),
    results: new Map(),
    transfer: transferCheck(),
    defaultStreams: DEFAULT_STREAMS,
    command: `npm run bench:pull${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
  };
  const list = methods();
  for (const m of list) m.skipped = m.missing();
  const runnable = list.filter((m) => !m.skipped);
  for (let round = 1; round <= opts.rounds && !isClosing(); round++) {
    const k = (round - 1) % runnable.length;
    for (const m of [...runnable.slice(k), ...runnable.slice(0, k)]) {
      if (isClosing()) break;
      log(`round ${round}/${opts.rounds}: ${m.label}...`);
      const r = { round, ...(await measure(ctx, m, round)) };
      if (isClosing()) break;
      if (r.failed) {
        failures++;
        log(`  FAILED: ${r.failed}`);
      } else
        log(
          `  ${r.wall.toFixed(2)} s, ${(file.size / 1e6 / r.wall).toFixed(0)} MB/s, ${r.connections} connections, ${r.rssMiB.toFixed(0)} MiB`,
        );
      ctx.results.set(m.id, [...(ctx.results.get(m.id) ?? []), r]);
    }
  }
  await hub.stop();
  // Interrupted (Ctrl-C, SIGTERM): the runs cut short are no measurements; scratch.mjs exits.
  if (isClosing()) await new Promise(() => {});
  const tc = ctx.transfer.v0;
  if (tc && !(tc.enabled && tc.transfer))
    ctx.warnings.add("the 0.x client does not take the hf_transfer path: its row is a plain download");
  const rows = summarise(ctx, list);
  const hfRow = rows.find((r) => r.m.key === "hf" && r.ok.length);
  const htRow = rows.find((r) => r.m.key === "hf_transfer" && r.ok.length);
  if (hfRow && htRow && htRow.connections <= hfRow.connections)
    ctx.warnings.add(
      `the hf_transfer peer opened ${htRow.connections} connections, no more than hf download's ${hfRow.connections}: hf_transfer was apparently not used`,
    );
  const md = render(ctx, rows);
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, md);
  process.stdout.write(shortTable(rows));
  log(`report: ${opts.out}`);
  if (failures) {
    log(`${failures} run(s) failed (a wrong or missing file, or a non-zero exit): see the report`);
    process.exitCode = 1;
  }
} catch (err) {
  // Interrupted: a run cut short may throw; scratch.mjs ends the process once all is removed.
  if (isClosing()) await new Promise(() => {});
  throw err;
} finally {
  await cleanup();
}
