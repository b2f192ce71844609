#!/usr/bin/env node
// Mirror benchmark: `hf download` (huggingface_hub 2.4.0, the official client's snapshot download)
// of shape (a) straight from an upstream hub over a shaped link, against the same download through
// `hubferry serve --mirror` sitting in front of that upstream over the same shaped link: cold (the
// mirror's store is empty: it fetches, checks and stores while it serves) and warm (served from
// the store). Then 16 clients at once through a fresh (cold) mirror: the mirror's peak RSS, and
// how many bytes it took from upstream for all of them (fetch once, serve many). Every download's
// files are checked against the seed's sha256 (a wrong file fails the bench). Goals (the project's
// issue): cold at most 1.1x the direct download. `--help` for the options. Results:
// bench/results/mirror.md (or --out). `npm run bench:mirror`.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { stopChild } from "./lib/children.mjs";
import { serveArgv, startHub, startListening, startShaper } from "./lib/hubs.mjs";
import { describeMachine } from "./lib/machine.mjs";
import { baseEnv } from "./lib/measure.mjs";
import { optionValue } from "./lib/option-value.mjs";
import { median } from "./lib/report.mjs";
import { scratchDir } from "./lib/scratch.mjs";
import { seedSource } from "./lib/seed.mjs";
import { describeShape, shapeFiles } from "./lib/shapes.mjs";
import { benchOptions } from "./lib/start.mjs";
import { timed } from "./lib/timed.mjs";
import { formatBytes, MiB } from "./lib/units.mjs";
import { benchUsersFile } from "./lib/users-file.mjs";

const root = new URL("..", import.meta.url).pathname;
const log = (s) => process.stderr.write(`${s}\n`);
const HF = join(root, ".venv/hf/bin/hf");
const NAME = "mirrorbench";
const REPO = `bench/${NAME}`;
const USAGE = `npm run bench:mirror [-- options]

  --per-connection RATE  cap of each TCP connection to upstream (default 50MB/s)
  --rounds N             rounds of direct / cold / warm; the report gives medians (default 2; quick: 1)
  --clients N            clients at once through a cold mirror (default 16)
  --quick                the quick shape (a) (256 + 64 MiB and 20 small files), 1 round
  --out FILE             where the Markdown goes (default bench/results/mirror.md)
  --help                 this text
`;

function parseArgs(argv) {
  const o = { perConnection: "50MB/s", clients: 16, quick: false };
  const value = (i) => optionValue(argv, i, USAGE);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") o.help = true;
    else if (a === "--quick") o.quick = true;
    else if (a === "--per-connection") o.perConnection = value(i++);
    else if (a === "--out") o.out = resolve(value(i++));
    else if (a === "--rounds" || a === "--clients") {
      const n = Number(value(i++));
      if (!Number.isInteger(n) || n < 1) throw new Error(`${a}: a whole number >= 1`);
      o[a.slice(2)] = n;
    } else throw new Error(`unknown option ${a} (--help lists them)`);
  }
  o.rounds ??= o.quick ? 1 : 2;
  o.out ??= join(root, "bench/results/mirror.md");
  return o;
}

const opts = benchOptions(parseArgs, USAGE, "npm run bench:mirror");
if (!existsSync(HF)) {
  log(`${HF} is missing: run \`npm run setup\``);
  process.exit(2);
}

async function sha256Of(path) {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MiB })) h.update(chunk);
  return h.digest("hex");
}

/** Every seeded file is in `dir` with its bytes; else what is wrong. */
async function checkDownload(dir, files) {
  for (const f of files) {
    const path = join(dir, f.path);
    if (!existsSync(path)) return `${f.path} is missing`;
    if ((await sha256Of(path)) !== f.sha256) return `${f.path}: wrong bytes`;
  }
  return undefined;
}

/** `hf download REPO --local-dir` against `endpoint`, timed and checked. */
async function download(ctx, endpoint, label) {
  const run = join(ctx.dir, `run-${label}-${ctx.n++}`);
  await mkdir(run, { recursive: true });
  try {
    const out = join(run, "out");
    const r = await timed(HF, ["download", REPO, "--local-dir", out], {
      ...baseEnv({ dir: run }),
      HF_ENDPOINT: endpoint,
      HF_HUB_DOWNLOAD_TIMEOUT: "60",
    });
    if (r.code !== 0)
      throw new Error(
        `${label}: hf download exited ${r.code}: ${r.err.split("\tCommand being timed")[0].slice(-1500)}`,
      );
    const wrong = await checkDownload(out, ctx.files);
    if (wrong) throw new Error(`${label}: ${wrong}`);
    return r.seconds;
  } finally {
    await rm(run, { recursive: true, force: true });
  }
}

/** A mirror with an empty store in front of `upstreamUrl`; `peakMiB()` reads its VmHWM. */
async function startMirror(ctx, upstreamUrl) {
  const store = join(ctx.dir, `mirror-${ctx.n++}`);
  const hub = await startListening(
    serveArgv(store, ctx.mirrorUsers, ["--mirror", `hf=${upstreamUrl}`]),
    "mirror",
  );
  return {
    url: hub.url,
    peakMiB: () => {
      const status = readFileSync(`/proc/${hub.child.pid}/status`, "utf8");
      return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
    },
    stop: async () => {
      await stopChild(hub.child);
      await rm(store, { recursive: true, force: true });
    },
  };
}

async function round(ctx) {
  const link = { perConnection: opts.perConnection };
  const direct = await startShaper(ctx.upstream.direct, link);
  const directS = await download(ctx, direct.url, "direct");
  await direct.stop();
  const shaped = await startShaper(ctx.upstream.direct, link);
  const mirror = await startMirror(ctx, shaped.url);
  try {
    const cold = await download(ctx, mirror.url, "cold");
    const warm = await download(ctx, mirror.url, "warm");
    return { direct: directS, cold, warm, mirrorPeakMiB: mirror.peakMiB() };
  } finally {
    await mirror.stop();
    await shaped.stop();
  }
}

async function crowd(ctx) {
  const c = { ...ctx, files: ctx.crowd.files };
  const shaped = await startShaper(ctx.crowd.upstream.direct, { perConnection: opts.perConnection });
  const mirror = await startMirror(ctx, shaped.url);
  try {
    const t0 = performance.now();
    const walls = await Promise.all(
      Array.from({ length: opts.clients }, (_, i) => download(c, mirror.url, `crowd-${i}`)),
    );
    const seconds = (performance.now() - t0) / 1000;
    const peak = mirror.peakMiB();
    await mirror.stop();
    const crossed = await shaped.stop();
    return { seconds, slowest: Math.max(...walls), peak, upstreamBytes: crossed?.down ?? Number.NaN };
  } finally {
    await mirror.stop().catch(() => {});
    await shaped.stop().catch(() => {});
  }
}

const fix = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "-");

function render(ctx, rounds, c) {
  const med = (k) => median(rounds.map((r) => r[k]));
  const direct = med("direct");
  const cold = med("cold");
  const warm = med("warm");
  const mb = (s) => fix(ctx.total / 1e6 / s, 0);
  const coldRatio = cold / direct;
  return [
    `# Mirror: shape (a) through \`serve --mirror\`, upstream at ${opts.perConnection} per connection (${new Date().toISOString().slice(0, 10)})`,
    "",
    ...ctx.machine.map((l) => `- ${l}`),
    `- Repo: ${describeShape(ctx.files)}, seeded in \`hf:${REPO}\` on an upstream \`hubferry serve\`. Every method reaches upstream through bench/shaper.mjs (${opts.perConnection} per TCP connection); the client to mirror link is not shaped (a LAN). Client: \`hf download ${REPO} --local-dir DIR\` (huggingface_hub 2.4.0, its default 8 workers, Xet off), a fresh HOME and folder per run, every file's sha256 checked.`,
    `- Rounds: ${opts.rounds}; each round: direct, then a fresh mirror (empty store) cold, then warm.`,
    "",
    "| method | wall s (median) | MB/s | speed × direct | mirror peak RSS |",
    "| --- | --- | --- | --- | --- |",
    `| direct from upstream | ${fix(direct)} | ${mb(direct)} | 1.00× | - |`,
    `| through the mirror, cold (fetch, check, store while serving) | ${fix(cold)} | ${mb(cold)} | ${fix(direct / cold)}× | ${fix(med("mirrorPeakMiB"), 0)} MiB |`,
    `| through the mirror, warm (from its store) | ${fix(warm)} | ${mb(warm)} | ${fix(direct / warm)}× | |`,
    "",
    `**${opts.clients} clients at once through a cold mirror** (quick shape (a): ${describeShape(ctx.crowd.files)}): all done in ${fix(c.seconds)} s (slowest client ${fix(c.slowest)} s); the mirror's peak RSS ${fix(c.peak, 0)} MiB; it took ${formatBytes(c.upstreamBytes)} from upstream for ${opts.clients} × ${formatBytes(ctx.crowd.total)} served (${fix(c.upstreamBytes / ctx.crowd.total)}× the repo). The ${opts.clients} clients, the mirror, upstream and the shaper share the machine's 2 cores and disk, so the wall time is the machine's, not the link's.`,
    "",
    "## Goals",
    "",
    "| measure | measured | goal | |",
    "| --- | --- | --- | --- |",
    `| cold through the mirror over direct (wall) | ${fix(coldRatio)}× | <= 1.1× | ${coldRatio <= 1.1 ? "met" : "missed"} |`,
    `| warm speed-up over direct | ${fix(direct / warm)}× | (reported) | |`,
    `| upstream bytes for ${opts.clients} cold clients | ${fix(c.upstreamBytes / ctx.crowd.total)}× the repo | 1× (fetch once) | ${c.upstreamBytes <= ctx.crowd.total * 1.05 ? "met" : "missed"} |`,
    "",
    `Command: \`${ctx.command}\``,
    "",
  ].join("\n");
}

const { dir, cleanup } = await scratchDir("hubferry-mirror-bench-", log);
try {
  const usersFile = await benchUsersFile(dir);
  // The mirror's own users (the bench token is viewer's there): upstream's "bench" namespace is not local.
  const mirrorUsers = await benchUsersFile(dir, { file: "mirror-users.yaml", name: "viewer", admin: false });
  const storeRoot = join(dir, "upstream");
  const files = await seedSource(storeRoot, NAME, shapeFiles("a", opts.quick));
  const upstream = await startHub(storeRoot, usersFile);
  // The crowd reads the quick shape from an upstream of its own: 16 full-size copies would be the
  // disk's benchmark, not the mirror's.
  const crowdRoot = join(dir, "crowd-upstream");
  const crowdFiles = opts.quick ? files : await seedSource(crowdRoot, NAME, shapeFiles("a", true));
  const crowdUpstream = opts.quick ? upstream : await startHub(crowdRoot, usersFile);
  const ctx = {
    dir,
    files,
    upstream,
    mirrorUsers,
    n: 0,
    total: files.reduce((n, f) => n + f.size, 0),
    crowd: { files: crowdFiles, upstream: crowdUpstream, total: crowdFiles.reduce((n, f) => n + f.size, 0) },
    machine: describeMachine(dir, {
      hf: join(root, ".venv/hf/bin/python"),
      ms: join(root, ".venv/msnew/bin/python"),
    }),
    command: `npm run bench:mirror${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
  };
  const rounds = [];
  for (let i = 1; i <= opts.rounds; i++) {
    log(`round ${i}/${opts.rounds}: direct, cold, warm...`);
    rounds.push(await round(ctx));
    log(`  ${JSON.stringify(rounds.at(-1))}`);
  }
  log(`${opts.clients} clients at once through a cold mirror...`);
  const c = await crowd(ctx);
  log(`  ${JSON.stringify(c)}`);
  const md = render(ctx, rounds, c);
  await writeFile(opts.out, md);
  process.stdout.write(md);
  await upstream.stop();
  await crowdUpstream.stop();
} finally {
  await cleanup();
}
