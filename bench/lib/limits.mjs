#!/usr/bin/env node
// The limits, one per run of this program (run under /usr/bin/time by the benchmark):
//
//   read    the source's bytes alone, every file in ranges of at most 64 MiB, N at a time, discarded
//   upload  the destination side alone: the same files from memory (regenerated, never read back),
//           every upload path the hub offers (inline in the commit, single PUT, parts), one commit
//   pipe    a naive copy: source bytes straight into the destination, no hashing, no verification
//
//   node bench/lib/limits.mjs '<json>'   ->  prints {"seconds": ..., "bytes": ...}
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { largeContent, largeRange, textContent } from "./shapes.mjs";

const root = new URL("../..", import.meta.url).pathname;
const { HfHub } = await import(join(root, "dist/hubs/hf/hf-hub.js"));
const { MsHub } = await import(join(root, "dist/hubs/ms/ms-hub.js"));
const { parseRepoRef } = await import(join(root, "dist/core/repo-ref.js"));

const spec = JSON.parse(process.argv[2]);
const PIECE = 64 * 1024 * 1024;
const signal = new AbortController().signal;

const hubOf = ({ face, url, token }) => (face === "hf" ? new HfHub(url, token) : new MsHub(url, token));

/** Runs `jobs` with at most `n` at a time. */
async function pool(n, jobs) {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, worker));
}

async function collect(iterable) {
  const chunks = [];
  for await (const c of iterable) chunks.push(c);
  return Buffer.concat(chunks);
}

async function drain(iterable) {
  let n = 0;
  for await (const c of iterable) n += c.byteLength;
  return n;
}

async function readAlone() {
  const src = await hubOf(spec.source).source(parseRepoRef(`${spec.source.face}:${spec.source.repo}`));
  const files = await src.list();
  const t0 = performance.now();
  let bytes = 0;
  const jobs = [];
  for (const f of files)
    for (let start = 0; start < f.size; start += PIECE) {
      const end = Math.min(f.size, start + PIECE) - 1;
      jobs.push(async () => {
        const n = await drain(await src.read(f.path, start, end, signal));
        bytes += n;
      });
    }
  await pool(spec.streams ?? 8, jobs);
  return { seconds: (performance.now() - t0) / 1000, bytes, files: files.length };
}

/** Bytes of one file for the destination: from memory (upload) or from the source (pipe). */
function bytesFrom(src, f) {
  if (src) {
    return {
      all: async () => collect(await src.read(f.path, 0, f.size - 1, signal)),
      stream: async () => src.read(f.path, 0, f.size - 1, signal),
      range: async (s, e) => collect(await src.read(f.path, s, e, signal)),
    };
  }
  const literal = f.literal !== undefined ? Buffer.from(f.literal) : undefined;
  return {
    all: async () =>
      literal ??
      (f.kind === "large" ? largeRange(f.size, f.salt, 0, f.size - 1) : textContent(f.size, f.salt)),
    stream: async () => largeContent(f.size, f.salt),
    range: async (s, e) => largeRange(f.size, f.salt, s, e),
  };
}

/** Everything the destination needs, from prepare to commit; `src` undefined = from memory. */
async function copyInto(files, src) {
  const hub = hubOf(spec.dest);
  const ref = parseRepoRef(`${spec.dest.face}:${spec.dest.repo}`);
  await hub.createRepo(ref, { private: false });
  const dest = hub.destination(ref);
  const t0 = performance.now();
  // Small files are read (or made) once, here; large ones give a sample only if the hub wants one.
  const small = new Map();
  const samples = new Array(files.length).fill(Buffer.alloc(0));
  await pool(
    spec.streams ?? 8,
    files.map((f, i) => async () => {
      if (f.size === 0) return;
      const b = bytesFrom(src, f);
      if (f.kind !== "large") {
        small.set(f.path, await b.all());
        samples[i] = small.get(f.path).subarray(0, 512);
      } else if (dest.wantsSample) samples[i] = await b.range(0, Math.min(512, f.size) - 1);
    }),
  );
  const methods = await dest.prepare(
    files.map((f, i) => ({ path: f.path, size: f.size, sha256: f.sha256, sample: samples[i] })),
    signal,
  );
  const changes = [];
  const partJobs = [];
  const jobs = files.map((f, i) => async () => {
    const m = methods[i];
    const b = bytesFrom(src, f);
    if (m.kind === "inline")
      changes.push({ kind: "inline", path: f.path, content: small.get(f.path) ?? (await b.all()) });
    else if (m.kind === "parts") {
      // Its parts join one pool with every other file's; the last part in completes the file.
      const etags = new Array(m.partCount);
      let left = m.partCount;
      for (let p = 0; p < m.partCount; p++)
        partJobs.push(async () => {
          const start = p * m.partSize;
          const end = Math.min(f.size, start + m.partSize) - 1;
          etags[p] = await m.putPart(p, await b.range(start, end), signal);
          if (--left === 0) {
            await m.complete(etags, signal);
            changes.push({ kind: "lfs", path: f.path, sha256: f.sha256, size: f.size });
          }
        });
    } else {
      const content = small.get(f.path);
      const once = async function* () {
        yield content;
      };
      if (m.kind === "single") await m.put(content ? once() : await b.stream(), signal);
      changes.push({ kind: "lfs", path: f.path, sha256: f.sha256, size: f.size });
    }
  });
  await pool(spec.streams ?? 8, jobs);
  await pool(spec.streams ?? 8, partJobs);
  await dest.commit(changes, "limit", signal);
  return {
    seconds: (performance.now() - t0) / 1000,
    bytes: files.reduce((n, f) => n + f.size, 0),
    files: files.length,
  };
}

let result;
const manifest = spec.manifest ? JSON.parse(await readFile(spec.manifest, "utf8")) : undefined;
if (spec.op === "read") result = await readAlone();
else if (spec.op === "upload") result = await copyInto(manifest, undefined);
else if (spec.op === "pipe") {
  const src = await hubOf(spec.source).source(parseRepoRef(`${spec.source.face}:${spec.source.repo}`));
  result = await copyInto(manifest, src);
} else throw new Error(`unknown op ${spec.op}`);
process.stdout.write(`${JSON.stringify(result)}\n`);
