#!/usr/bin/env node
// Load benchmark of the local hub (`hubferry serve` as a child on 127.0.0.1), clients in a separate
// process (bench/lib/load-client.mjs). In one run:
//   1. mix: N concurrent clients (default 32) mixing downloads (small files, LFS files through the
//      302, 1 MiB ranged reads), listings (repo info, tree, ModelScope file list) and uploads (HF LFS
//      batch + PUT + NDJSON commit, ModelScope batch + PUT + commit) for a bounded time
//   2. one large LFS file (default 1 GiB, streamed to disk when seeded) to 8 clients at once, from
//      the hub and from nginx serving the same file on disk, alternating, side by side (the hub
//      alone when nginx is missing; HUBFERRY_BENCH_NGINX=/path picks the binary)
// The hub's peak RSS per phase: its VmHWM, reset before each phase (/proc/<pid>/clear_refs).
// Any error exits 1. Results: bench/results/hub-load.md (or --out).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopAll, track } from "./lib/children.mjs";
import { startHub } from "./lib/hubs.mjs";
import { describeMachine } from "./lib/machine.mjs";
import { nginxPath, startNginx } from "./lib/nginx.mjs";
import { seedSource } from "./lib/seed.mjs";
import { benchOptions } from "./lib/start.mjs";
import { lastJson } from "./lib/timed.mjs";
import { formatBytes, MiB } from "./lib/units.mjs";

const root = new URL("..", import.meta.url).pathname;
const log = (s) => process.stderr.write(`${s}\n`);
const USAGE = `usage: node bench/hub-load-bench.mjs [options]   (npm run bench:hub -- [options])

  --seconds N       duration of the mixed-load phase (default 20)
  --clients N       concurrent clients of the mixed-load phase (default 32)
  --big-size MIB    size of the large LFS file served to 8 clients (default 1024)
  --also-size MIB   a second large-file run at this size, to compare the hub's RSS (e.g. 256)
  --rounds N        hub/nginx alternations of the large-file phase (default 2)
  --hash            hash the large file's bytes in the clients (off: the client must not be the bottleneck)
  --out FILE        where the Markdown goes (default bench/results/hub-load.md)
`;

function parseArgs(argv) {
  const o = { seconds: 20, clients: 32, bigMiB: 1024, rounds: 2, hash: false };
  const num = (i, name) => {
    const v = Number(argv[i + 1]);
    if (!(v > 0)) throw new Error(`${name}: a number > 0\n\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--seconds") o.seconds = num(i++, a);
    else if (a === "--clients") o.clients = Math.round(num(i++, a));
    else if (a === "--big-size") o.bigMiB = num(i++, a);
    else if (a === "--also-size") o.alsoMiB = num(i++, a);
    else if (a === "--rounds") o.rounds = Math.round(num(i++, a));
    else if (a === "--hash") o.hash = true;
    else if (a === "--out") o.out = argv[++i];
    else if (a === "--help" || a === "-h") o.help = true;
    else throw new Error(`unknown option ${a}\n\n${USAGE}`);
  }
  return o;
}

const opts = benchOptions(parseArgs, USAGE, "npm run bench:hub");
const nginx = nginxPath();
if (!nginx)
  log("nginx is missing: the large-file phase measures the hub alone (apt-get install -y nginx to compare)");

const TOKEN = `hf_${randomBytes(12).toString("hex")}`;
const dir = await mkdtemp(join(tmpdir(), "hubferry-load-"));
let cleaning;
const cleanup = () => {
  cleaning ??= (async () => {
    await stopAll();
    await rm(dir, { recursive: true, force: true });
  })();
  return cleaning;
};
for (const sig of ["SIGINT", "SIGTERM"])
  process.once(sig, () => {
    log(`${sig}: stopping the hub and nginx, removing ${dir}`);
    void cleanup().then(() => process.exit(130));
  });
process.stdout.on("error", () => {});

/** The hub's peak RSS from now on: VmHWM reset (root or same user), else polled VmRSS. */
function rssWatch(pid) {
  const status = () => readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status())?.[1] ?? NaN);
  let reset = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch {
    reset = false;
  }
  let peak = kib("VmRSS");
  const timer = setInterval(() => {
    peak = Math.max(peak, kib("VmRSS"));
  }, 100);
  return () => {
    clearInterval(timer);
    return (reset ? Math.max(peak, kib("VmHWM")) : peak) / 1024;
  };
}

function runClients(spec) {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [join(root, "bench/lib/load-client.mjs"), JSON.stringify(spec)], {
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err = (err + d).slice(-4000);
    });
    child.on("close", (code) => {
      const res = lastJson(out);
      if (code !== 0 || !res) reject(new Error(`load client exited ${code}: ${err}`));
      else resolve(res);
    });
  });
}

/** The mixed-load repo (both faces) and one upload repo per client per face, before the hub starts. */
async function seed(storeRoot, clients) {
  const small = Array.from({ length: 40 }, (_, i) => ({
    path: `configs/part-${i}.json`,
    size: 2000 + i * 97,
    salt: 100 + i,
    kind: "text",
  }));
  const files = [
    ...small,
    { path: "model-small.safetensors", size: 8 * MiB, salt: 11, kind: "large" },
    { path: "model-big.safetensors", size: 64 * MiB, salt: 12, kind: "large" },
  ];
  const manifest = await seedSource(storeRoot, "load", files);
  const { startLocalHub, UserTable } = await import(join(root, "dist/index.js"));
  // LFS only: no Xet layouts computed in the background of the bench.
  const hub = await startLocalHub({ root: storeRoot, users: new UserTable(), port: 0, xet: false });
  try {
    for (let c = 0; c < clients; c++) {
      const base = { type: "model", namespace: "bench", name: `up-${c}` };
      const opts = { private: false, author: "bench", initialFiles: {} };
      await hub.hub.repos.create({ face: "hf", ...base }, opts);
      await hub.hub.repos.create(
        { face: "ms", ...base },
        {
          ...opts,
          defaultBranch: "master",
          extra: { numericId: 1000 + c, visibility: 5, chineseName: "", description: "", createdBy: "bench" },
        },
      );
    }
  } finally {
    await hub.close();
  }
  return { files, manifest, small: small.map((f) => f.path) };
}

/** A store holding only the large file; the blob's path is what nginx serves. */
async function seedBig(storeRoot, sizeMiB) {
  const files = [{ path: "big.safetensors", size: sizeMiB * MiB, salt: 30, kind: "large" }];
  const [m] = await seedSource(storeRoot, "big", files);
  return { ...m, rel: join("blobs", m.sha256.slice(0, 2), m.sha256.slice(2, 4), m.sha256) };
}

async function mixPhase(usersFile) {
  const storeRoot = join(dir, "store-mix");
  log(`mix: seeding (40 small files, LFS 8 MiB + 64 MiB, ${opts.clients} upload repos per face)...`);
  const s = await seed(storeRoot, opts.clients);
  const hub = await startHub(storeRoot, usersFile);
  try {
    log(`mix: ${opts.clients} clients for ${opts.seconds} s...`);
    const peak = rssWatch(hub.pid);
    const r = await runClients({
      mode: "mix",
      url: hub.url,
      token: TOKEN,
      clients: opts.clients,
      seconds: opts.seconds,
      repo: "bench/load",
      uploadPrefix: "bench/up-",
      small: s.small,
      lfs: "model-small.safetensors",
      big: "model-big.safetensors",
      bigSize: 64 * MiB,
    });
    return { ...r, rssMiB: peak() };
  } finally {
    await hub.stop({ remove: true });
  }
}

async function bigPhase(usersFile, sizeMiB) {
  const storeRoot = join(dir, `store-big-${sizeMiB}`);
  log(`large file: seeding ${sizeMiB} MiB...`);
  const big = await seedBig(storeRoot, sizeMiB);
  const hub = await startHub(storeRoot, usersFile);
  const nginxTmp = join(dir, `nginx-${sizeMiB}`);
  await mkdir(nginxTmp);
  const ng = nginx ? await startNginx(nginx, nginxTmp, storeRoot) : undefined;
  const base = { mode: "blob", token: TOKEN, clients: 8, size: big.size, hash: opts.hash };
  const rounds = { hub: [], nginx: [] };
  try {
    for (let i = 1; i <= opts.rounds; i++) {
      const peak = rssWatch(hub.pid);
      const h = await runClients({
        ...base,
        redirect: true,
        target: `${hub.url}/bench/big/resolve/main/big.safetensors`,
      });
      rounds.hub.push({ ...h, rssMiB: peak() });
      const n = ng ? await runClients({ ...base, target: `${ng.url}/${big.rel}` }) : undefined;
      if (n) rounds.nginx.push(n);
      for (const e of [...h.errorSamples, ...(n?.errorSamples ?? [])]) log(`  ERROR ${e}`);
      const rate = (x) => ((x.clients ?? 8) * big.size) / x.seconds / 1e6;
      log(
        `  round ${i}: hub ${rate(h).toFixed(0)} MB/s${n ? `, nginx ${rate(n).toFixed(0)} MB/s` : ""}, hub RSS ${rounds.hub.at(-1).rssMiB.toFixed(0)} MiB`,
      );
    }
  } finally {
    await ng?.stop();
    await hub.stop({ remove: true });
  }
  return { sizeMiB, size: big.size, rounds };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fix = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");

function render({ mix, bigs, machine, command, date }) {
  const out = [
    `# Local hub load benchmark ${date}`,
    "",
    ...machine.map((l) => `- ${l}`),
    "- Hub: `hubferry serve` (one process), loopback; clients: one separate Node process (undici, keep-alive), bodies streamed and discarded.",
    "",
    `## Mixed load: ${opts.clients} clients, ${fix(mix.seconds)} s`,
    "",
    "| requests | errors | 429 retried | requests/s | MB/s down | MB/s up | latency p50 | latency p99 | hub peak RSS |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    `| ${mix.requests} | ${mix.errors} | ${mix.retries} | ${fix(mix.requests / mix.seconds, 0)} | ${fix(mix.bytes / mix.seconds / 1e6)} | ${fix(mix.uploadBytes / mix.seconds / 1e6)} | ${fix(mix.p50)} ms | ${fix(mix.p99)} ms | ${fix(mix.rssMiB, 0)} MiB |`,
    "",
    "Per operation (an operation is one or more requests; latency of the whole operation):",
    "",
    "| operation | count | p50 | p99 |",
    "| --- | --- | --- | --- |",
    ...Object.entries(mix.ops).map(([k, o]) => `| ${k} | ${o.count} | ${fix(o.p50)} ms | ${fix(o.p99)} ms |`),
    "",
  ];
  if (mix.errorSamples.length)
    out.push("Errors (first ones):", "", ...mix.errorSamples.map((e) => `- ${e}`), "");
  out.push(...renderBig(bigs));
  out.push("", `Reproduce: \`${command}\``, "");
  return out.join("\n");
}

/** The large-file table; without nginx, the hub's columns alone and a line saying why. */
function renderBig(bigs) {
  const out = [
    nginx
      ? "## One large LFS file to 8 clients at once, hub vs nginx"
      : "## One large LFS file to 8 clients at once",
    "",
    "Each client downloads the whole file once (hub: resolve, 302, signed object URL; nginx: the same",
    "blob file of the hub's store, `sendfile on`, one worker). Aggregate MB/s = 8 × size / wall time of",
    `the slowest client. ${nginx ? "Rounds alternate hub and nginx; m" : "M"}edians over ${opts.rounds} rounds.`,
    "",
  ];
  if (!nginx) out.push("nginx was not found on this machine: its columns are left out.", "");
  out.push(
    nginx
      ? "| file | hub MB/s (per round) | nginx MB/s (per round) | hub / nginx | hub peak RSS (per round) |"
      : "| file | hub MB/s (per round) | hub peak RSS (per round) |",
    nginx ? "| --- | --- | --- | --- | --- |" : "| --- | --- | --- |",
  );
  for (const b of bigs) {
    const rate = (x) => (8 * b.size) / x.seconds / 1e6;
    const h = b.rounds.hub.map(rate);
    const n = b.rounds.nginx.map(rate);
    const perRound = (xs) => `${fix(median(xs), 0)} (${xs.map((x) => fix(x, 0)).join(", ")})`;
    const rss = `${b.rounds.hub.map((r) => fix(r.rssMiB, 0)).join(", ")} MiB`;
    out.push(
      nginx
        ? `| ${formatBytes(b.size)} | ${perRound(h)} | ${perRound(n)} | ${fix(median(h) / median(n), 2)}× | ${rss} |`
        : `| ${formatBytes(b.size)} | ${perRound(h)} | ${rss} |`,
    );
  }
  return out;
}

let failed = false;
try {
  const usersFile = join(dir, "users.yaml");
  await writeFile(usersFile, `users:\n  - name: bench\n    tokens:\n      - { value: ${TOKEN} }\n`);
  const machine = describeMachine(tmpdir());
  const mix = await mixPhase(usersFile);
  log(`mix: ${mix.requests} requests, ${mix.errors} errors, ${fix(mix.requests / mix.seconds, 0)} req/s`);
  const bigs = [];
  for (const size of [opts.alsoMiB, opts.bigMiB].filter(Boolean)) bigs.push(await bigPhase(usersFile, size));
  const errors =
    mix.errors + bigs.flatMap((b) => [...b.rounds.hub, ...b.rounds.nginx]).reduce((n, r) => n + r.errors, 0);
  const args = process.argv.slice(2);
  const text = render({
    mix,
    bigs,
    machine,
    command: `npm run bench:hub${args.length ? ` -- ${args.join(" ")}` : ""}`,
    date: new Date().toISOString().slice(0, 10),
  });
  process.stdout.write(text);
  const out = opts.out ?? join(root, "bench", "results", "hub-load.md");
  await mkdir(join(out, ".."), { recursive: true });
  await writeFile(out, text);
  log(`written to ${out}`);
  if (errors) {
    log(`${errors} error(s)`);
    failed = true;
  }
} catch (err) {
  log(`FAILED: ${err.stack ?? err}`);
  failed = true;
} finally {
  await cleanup();
}
process.exit(failed ? 1 : 0);
