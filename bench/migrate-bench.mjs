#!/usr/bin/env node
// Migration benchmark between two local hubs (separate processes, separate stores, loopback).
//
//   node bench/migrate-bench.mjs [--quick] [--rounds N] [--out FILE]
//
// Measures, side by side in one run on the same data:
//   - read-alone: the source bytes read (no upload) with the same per-file concurrency
//   - hubferry migrate HF -> ModelScope and ModelScope -> HF (a fresh HF hub), as a child process
//     under /usr/bin/time -v: wall time, peak RSS, blocks written to disk by hubferry itself
//   - the no-op re-run (everything already there): time and requests made
// and prints the ratios. Results go to bench/results/<date>.md (or --out).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, freemem, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const rounds = Number(args[args.indexOf("--rounds") + 1]) || (quick ? 1 : 3);
const outArg = args.includes("--out") ? args[args.indexOf("--out") + 1] : undefined;
const MiB = 1024 * 1024;
const SHAPE = quick
  ? { big: 256 * MiB, medium: [64 * MiB], small: 20 }
  : { big: 1200 * MiB, medium: [512 * MiB, 384 * MiB], small: 40 };

const { startLocalHub, UserTable } = await import(join(root, "dist/index.js"));
const { HfHub } = await import(join(root, "dist/hubs/hf/hf-hub.js"));
const { MsHub } = await import(join(root, "dist/hubs/ms/ms-hub.js"));
const { parseRepoRef } = await import(join(root, "dist/core/repo-ref.js"));
const { lfsEntry, storeRegular } = await import(join(root, "dist/server/store/file-entry.js"));

const HF_TOKEN = `hf_${randomBytes(12).toString("hex")}`;
const MS_TOKEN = `ms-${randomBytes(12).toString("hex")}`;

const block = randomBytes(4 * MiB);
/** Deterministic bytes of a bench file: the same (size, salt) always gives the same content. */
async function* gen(size, salt) {
  let left = size;
  let i = 0;
  while (left > 0) {
    const n = Math.min(left, block.length);
    const chunk = Buffer.from(block.subarray(0, n));
    chunk.writeUInt32LE(salt, 0);
    chunk.writeUInt32LE(i++, 4);
    yield chunk;
    left -= n;
  }
}
const large = [];

/** Writes the source repo straight into hub A's store (fast, no HTTP): big + medium LFS files, small files. */
async function seed(storeRoot) {
  const users = new UserTable();
  users.addToken("bench", HF_TOKEN);
  const hub = await startLocalHub({ root: storeRoot, users, port: 0 });
  const files = {};
  for (const [i, size] of [SHAPE.big, ...SHAPE.medium].entries()) {
    const entry = lfsEntry(await hub.hub.blobs.putStream(gen(size, 10 + i)));
    files[`model-0000${i + 1}.safetensors`] = entry;
    large.push({ path: `model-0000${i + 1}.safetensors`, size, salt: 10 + i, sha256: entry.sha256 });
  }
  for (let i = 0; i < SHAPE.small; i++)
    files[`configs/part-${i}.json`] = await storeRegular(
      hub.hub.blobs,
      Buffer.from(JSON.stringify({ i, pad: "x".repeat(2000 + i) })),
    );
  files["README.md"] = await storeRegular(hub.hub.blobs, Buffer.from("---\nlicense: mit\n---\n# bench\n"));
  const meta = await hub.hub.repos.create(
    { face: "hf", type: "model", namespace: "bench", name: "big" },
    { private: false, author: "bench", initialFiles: {} },
  );
  await hub.hub.repos.commit(meta, {
    branch: "main",
    title: "seed",
    description: "",
    author: "bench",
    ops: Object.entries(files).map(([path, entry]) => ({ kind: "add", path, entry })),
  });
  await hub.close();
  return Object.values(files).reduce((n, f) => n + f.size, 0);
}

function serve(storeRoot, usersFile, extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(root, "bin/hubferry.js"),
        "serve",
        "--root",
        storeRoot,
        "--port",
        "0",
        "--users",
        usersFile,
        "--json",
        ...extra,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    createInterface({ input: child.stdout }).once("line", (l) => resolve({ url: JSON.parse(l).url, child }));
    child.once("exit", (c) => reject(new Error(`serve exited ${c}`)));
  });
}

function timed(cmd, argv, env) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn("/usr/bin/time", ["-v", cmd, ...argv], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const num = (re) => Number(re.exec(err)?.[1] ?? NaN);
      resolve({
        code,
        seconds,
        rssMiB: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
        diskWritesBytes: num(/File system outputs: (\d+)/) * 512,
        cpuSeconds: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/),
        out,
        err,
      });
    });
  });
}

async function readAlone(url) {
  const hub = new HfHub(url, HF_TOKEN);
  const ref = parseRepoRef("hf:bench/big");
  const src = await hub.source(ref);
  const files = await src.list();
  const t0 = process.hrtime.bigint();
  let next = 0;
  let bytes = 0;
  async function worker() {
    while (next < files.length) {
      const f = files[next++];
      if (f.size === 0) continue;
      for await (const c of await src.read(f.path, 0, f.size - 1)) bytes += c.byteLength;
    }
  }
  await Promise.all(Array.from({ length: 4 }, worker));
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, bytes };
}

/** The destination side alone: the same large files PUT into the ModelScope hub from memory. */
async function uploadAlone(url) {
  const hub = new MsHub(url, MS_TOKEN);
  const ref = parseRepoRef(`ms:bench/upload-${randomBytes(4).toString("hex")}`);
  await hub.createRepo(ref, { private: false });
  const dest = hub.destination(ref);
  const signal = new AbortController().signal;
  const methods = await dest.prepare(
    large.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, sample: Buffer.alloc(0) })),
    signal,
  );
  const t0 = process.hrtime.bigint();
  await Promise.all(methods.map((m, i) => m.put(gen(large[i].size, large[i].salt), signal)));
  return {
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    bytes: large.reduce((n, f) => n + f.size, 0),
  };
}

/** The same for a Hugging Face hub: preupload, LFS batch, parts PUT from memory, completion. */
async function uploadAloneHf(url) {
  const hub = new HfHub(url, HF_TOKEN);
  const ref = parseRepoRef(`hf:bench/upload-${randomBytes(4).toString("hex")}`);
  await hub.createRepo(ref, { private: false });
  const dest = hub.destination(ref);
  const signal = new AbortController().signal;
  const methods = await dest.prepare(
    large.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, sample: Buffer.alloc(0) })),
    signal,
  );
  const t0 = process.hrtime.bigint();
  await Promise.all(
    methods.map(async (m, i) => {
      if (m.kind === "single") return m.put(gen(large[i].size, large[i].salt), signal);
      const etags = [];
      let part = 0;
      let buf = [];
      let have = 0;
      for await (const c of gen(large[i].size, large[i].salt)) {
        buf.push(c);
        have += c.length;
        if (have >= m.partSize) {
          const all = Buffer.concat(buf);
          etags.push(await m.putPart(part++, all.subarray(0, m.partSize), signal));
          buf = [all.subarray(m.partSize)];
          have = buf[0].length;
        }
      }
      if (have > 0) etags.push(await m.putPart(part++, Buffer.concat(buf), signal));
      await m.complete(etags, signal);
    }),
  );
  return {
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    bytes: large.reduce((n, f) => n + f.size, 0),
  };
}

/** The floor on this machine: source bytes piped straight into the destination, no hashing, no checks. */
async function naivePipe(hfUrl, msUrl) {
  const srcHub = new HfHub(hfUrl, HF_TOKEN);
  const src = await srcHub.source(parseRepoRef("hf:bench/big"));
  const hub = new MsHub(msUrl, MS_TOKEN);
  const ref = parseRepoRef(`ms:bench/pipe-${randomBytes(4).toString("hex")}`);
  await hub.createRepo(ref, { private: false });
  const signal = new AbortController().signal;
  const methods = await hub.destination(ref).prepare(
    large.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, sample: Buffer.alloc(0) })),
    signal,
  );
  const t0 = process.hrtime.bigint();
  await Promise.all(
    methods.map(async (m, i) => m.put(await src.read(large[i].path, 0, large[i].size - 1), signal)),
  );
  return {
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    bytes: large.reduce((n, f) => n + f.size, 0),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs) => (xs.length > 1 ? `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}` : "-");

const dir = await mkdtemp(join(tmpdir(), "hubferry-bench-"));
const procs = [];
try {
  const usersFile = join(dir, "users.yaml");
  await writeFile(
    usersFile,
    `users:\n  - name: bench\n    tokens:\n      - { value: ${HF_TOKEN} }\n      - { value: ${MS_TOKEN} }\n`,
  );
  process.stderr.write(`seeding ${quick ? "quick" : "full"} repo...\n`);
  const total = await seed(join(dir, "hf"));
  const hf = await serve(join(dir, "hf"), usersFile);
  procs.push(hf.child);
  const rows = { read: [], upload: [], uploadHf: [], pipe: [], hfToMs: [], msToHf: [], noop: [] };
  let last = {};
  for (let r = 1; r <= rounds; r++) {
    process.stderr.write(`round ${r}/${rounds}\n`);
    const ms = await serve(join(dir, `ms-${r}`), usersFile);
    const hf2 = await serve(join(dir, `hf2-${r}`), usersFile);
    procs.push(ms.child, hf2.child);
    rows.read.push((await readAlone(hf.url)).seconds);
    // On a hub of its own: a hub that already stores the objects would skip the migration's uploads.
    const msUp = await serve(join(dir, `up-${r}`), usersFile);
    const up = await uploadAlone(msUp.url);
    msUp.child.kill("SIGTERM");
    await rm(join(dir, `up-${r}`), { recursive: true, force: true });
    const msPipe = await serve(join(dir, `pipe-${r}`), usersFile);
    const pipe = await naivePipe(hf.url, msPipe.url);
    rows.pipe.push((pipe.seconds * total) / pipe.bytes);
    msPipe.child.kill("SIGTERM");
    await rm(join(dir, `pipe-${r}`), { recursive: true, force: true });
    const hfUp = await serve(join(dir, `uphf-${r}`), usersFile);
    const upHf = await uploadAloneHf(hfUp.url);
    rows.uploadHf.push((upHf.seconds * total) / upHf.bytes);
    hfUp.child.kill("SIGTERM");
    await rm(join(dir, `uphf-${r}`), { recursive: true, force: true });
    rows.upload.push((up.seconds * total) / up.bytes);
    const env = {
      HF_ENDPOINT: hf.url,
      MODELSCOPE_ENDPOINT: ms.url,
      HF_TOKEN,
      MODELSCOPE_API_TOKEN: MS_TOKEN,
      HOME: dir,
    };
    const cli = [join(root, "bin/hubferry.js"), "migrate", "hf:bench/big", "ms:bench/big", "--yes", "--json"];
    const a = await timed(process.execPath, cli, env);
    if (a.code !== 0) throw new Error(`migrate HF->MS failed: ${a.err.slice(-2000)}`);
    rows.hfToMs.push(a.seconds);
    const statsBefore = await (await fetch(`${ms.url}/_hubferry/stats`)).json();
    const n = await timed(process.execPath, cli, env);
    const statsAfter = await (await fetch(`${ms.url}/_hubferry/stats`)).json();
    rows.noop.push(n.seconds);
    const requests =
      Object.values(statsAfter.requests).reduce((x, y) => x + y, 0) -
      Object.values(statsBefore.requests).reduce((x, y) => x + y, 0);
    const b = await timed(
      process.execPath,
      [join(root, "bin/hubferry.js"), "migrate", "ms:bench/big", "hf:bench/big", "--yes", "--json"],
      { ...env, HF_ENDPOINT: hf2.url },
    );
    if (b.code !== 0) throw new Error(`migrate MS->HF failed: ${b.err.slice(-2000)}`);
    rows.msToHf.push(b.seconds);
    last = { a, b, n, requests };
    for (const c of [ms.child, hf2.child]) c.kill("SIGTERM");
    await rm(join(dir, `ms-${r}`), { recursive: true, force: true });
    await rm(join(dir, `hf2-${r}`), { recursive: true, force: true });
  }
  const gb = total / 1e9;
  const read = median(rows.read);
  const lines = [
    `# Migration benchmark ${new Date().toISOString().slice(0, 10)}${quick ? " (quick)" : ""}`,
    "",
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM (${(freemem() / 2 ** 30).toFixed(0)} free), Node ${process.version}; two local hubs on loopback, separate processes and stores.`,
    `Repo: ${(total / MiB).toFixed(0)} MiB in ${SHAPE.medium.length + 2 + SHAPE.small} files: one ${SHAPE.big / MiB} MiB LFS file, ${SHAPE.medium.map((m) => `${m / MiB} MiB`).join(" + ")}, ${SHAPE.small} small files. Rounds: ${rounds} (median, min–max).`,
    "",
    "| measure | seconds (median) | spread | MB/s | vs read-alone |",
    "| --- | --- | --- | --- | --- |",
    `| read the source alone (4 files at a time) | ${read.toFixed(2)} | ${spread(rows.read)} | ${(total / 1e6 / read).toFixed(0)} | 1.00× |`,
    `| upload alone: the same bytes from memory into the ModelScope hub (scaled to the whole repo) | ${median(rows.upload).toFixed(2)} | ${spread(rows.upload)} | ${(total / 1e6 / median(rows.upload)).toFixed(0)} | ${(median(rows.upload) / read).toFixed(2)}× |`,
    `| upload alone into a Hugging Face hub (multipart, from memory; scaled) | ${median(rows.uploadHf).toFixed(2)} | ${spread(rows.uploadHf)} | ${(total / 1e6 / median(rows.uploadHf)).toFixed(0)} | ${(median(rows.uploadHf) / read).toFixed(2)}× |`,
    `| naive pipe HF → ModelScope: large files streamed source → destination, no hashing (scaled) | ${median(rows.pipe).toFixed(2)} | ${spread(rows.pipe)} | ${(total / 1e6 / median(rows.pipe)).toFixed(0)} | ${(median(rows.pipe) / read).toFixed(2)}× |`,
    `| hubferry migrate HF → ModelScope | ${median(rows.hfToMs).toFixed(2)} | ${spread(rows.hfToMs)} | ${(total / 1e6 / median(rows.hfToMs)).toFixed(0)} | ${(median(rows.hfToMs) / read).toFixed(2)}× |`,
    `| hubferry migrate HF → ModelScope vs the naive pipe | | | | ${(median(rows.hfToMs) / median(rows.pipe)).toFixed(2)}× the pipe |`,
    `| hubferry migrate ModelScope → HF | ${median(rows.msToHf).toFixed(2)} | ${spread(rows.msToHf)} | ${(total / 1e6 / median(rows.msToHf)).toFixed(0)} | ${(median(rows.msToHf) / read).toFixed(2)}× |`,
    `| no-op re-run (everything there) | ${median(rows.noop).toFixed(2)} | ${spread(rows.noop)} | - | ${last.requests} requests to the destination |`,
    "",
    "| hubferry process (last round) | peak RSS | written to disk | CPU s per GB |",
    "| --- | --- | --- | --- |",
    `| HF → ModelScope | ${last.a.rssMiB.toFixed(0)} MiB | ${last.a.diskWritesBytes} bytes | ${(last.a.cpuSeconds / gb).toFixed(2)} |`,
    `| ModelScope → HF | ${last.b.rssMiB.toFixed(0)} MiB | ${last.b.diskWritesBytes} bytes | ${(last.b.cpuSeconds / gb).toFixed(2)} |`,
    `| no-op re-run | ${last.n.rssMiB.toFixed(0)} MiB | ${last.n.diskWritesBytes} bytes | - |`,
    "",
    "Reproduce: `npm run build && node bench/migrate-bench.mjs" + (quick ? " --quick" : "") + "`.",
    "",
  ];
  const text = lines.join("\n");
  process.stdout.write(text);
  const out =
    outArg ??
    join(root, "bench", "results", `${new Date().toISOString().slice(0, 10)}${quick ? "-quick" : ""}.md`);
  await mkdir(join(out, ".."), { recursive: true });
  await writeFile(out, text);
  process.stderr.write(`written to ${out}\n`);
} finally {
  for (const p of procs) p.kill("SIGTERM");
  await rm(dir, { recursive: true, force: true });
}
