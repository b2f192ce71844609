#!/usr/bin/env node
// Migration benchmark between local hubs (separate processes, separate stores, loopback,
// optionally shaped by bench/shaper.mjs). `node bench/migrate-bench.mjs --help` for the options.
//
// For each repo shape (a: 2-4 GB with one file >= 1 GB plus small files; b: 1,000 small files;
// c: one 5 GiB file) and each direction (HF -> ModelScope, ModelScope -> HF), in one run, on the
// same data and hubs, several rounds:
//   - the limit: the source read alone at full parallelism, the destination upload from memory alone
//   - a naive pipe (no hashing, no checks)
//   - hubferry migrate, and its no-op re-run
//   - the sequential method with the official Python clients: snapshot_download, then upload_folder
// each a child process under /usr/bin/time -v (wall, peak RSS, bytes written to disk, CPU), each
// result checked against the source. Results: bench/results/<date>.md (or --out).
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, USAGE } from "./lib/args.mjs";
import { isClosing, stopAll } from "./lib/children.mjs";
import { startHub } from "./lib/hubs.mjs";
import { describeMachine, freeBytes } from "./lib/machine.mjs";
import { hubferry, naivePipe, readAlone, sequential, TOKENS, uploadAlone } from "./lib/measure.mjs";
import { DIRECTIONS, renderReport } from "./lib/report.mjs";
import { seedSource } from "./lib/seed.mjs";
import { describeShape, SHAPE_TITLES, shapeFiles } from "./lib/shapes.mjs";
import { benchOptions } from "./lib/start.mjs";
import { HAVE_TIME } from "./lib/timed.mjs";
import { GiB } from "./lib/units.mjs";

const root = new URL("..", import.meta.url).pathname;
const log = (s) => process.stderr.write(`${s}\n`);

const opts = benchOptions(parseArgs, USAGE, "npm run bench");
if (!HAVE_TIME) log("note: /usr/bin/time is missing, so peak RSS, disk writes and CPU are not measured.");

const python = { hf: join(root, ".venv/hf/bin/python"), ms: join(root, ".venv/msnew/bin/python") };
let sequentialSkipped;
if (!opts.sequential) sequentialSkipped = "--no-sequential";
else if (!existsSync(python.hf) || !existsSync(python.ms))
  sequentialSkipped = "the official clients are not installed (.venv/hf, .venv/msnew): run `npm run clients`";
if (sequentialSkipped) log(`sequential method skipped: ${sequentialSkipped}`);

const date = new Date().toISOString().slice(0, 10);
const args = process.argv.slice(2);
const command = `npm run bench${args.length ? ` -- ${args.join(" ")}` : ""}`;
const dir = await mkdtemp(join(tmpdir(), "hubferry-bench-"));

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
    log(`${sig}: stopping the hubs and removing ${dir}`);
    void cleanup().then(() => process.exit(130));
  });
for (const event of ["uncaughtException", "unhandledRejection"])
  process.once(event, (err) => {
    log(`${event}: ${err?.stack ?? err}`);
    void cleanup().then(() => process.exit(1));
  });
// A closed pipe on stdout (| head) must not skip the cleanup.
process.stdout.on("error", () => {});

/** Stores at peak: the source, one destination, the staging folder, and multipart parts in flight. */
const diskNeeded = (bytes) => 4 * bytes + 2 * GiB;

const failures = [];
async function attempt(what, fn) {
  try {
    return await fn();
  } catch (err) {
    // Interrupted: the signal handler ends the process once everything is stopped and removed.
    if (isClosing()) return new Promise(() => {});
    failures.push(`${what}: ${err.message.split("\n")[0]}`);
    log(`  FAILED ${what}: ${err.message}`);
    return undefined;
  }
}

try {
  const usersFile = join(dir, "users.yaml");
  await writeFile(
    usersFile,
    `users:\n  - name: bench\n    admin: true\n    tokens:\n      - { value: ${TOKENS.hf} }\n      - { value: ${TOKENS.ms} }\n`,
  );
  const machine = describeMachine(tmpdir(), sequentialSkipped ? undefined : python);
  const shapes = [];
  for (const name of opts.shapes) {
    const files = shapeFiles(name, opts.quick);
    const totalBytes = files.reduce((n, f) => n + f.size, 0);
    const shape = {
      name,
      title: SHAPE_TITLES[name],
      desc: describeShape(files),
      totalBytes,
      streams: opts.streams,
      dirs: {},
      notes: [],
    };
    shapes.push(shape);
    const free = freeBytes(dir);
    if (free < diskNeeded(totalBytes)) {
      shape.skipped = `${(diskNeeded(totalBytes) / GiB).toFixed(1)} GiB of free disk needed (the source store, a destination store, the sequential method's staging folder, multipart parts), ${(free / GiB).toFixed(1)} GiB free in ${tmpdir()}.`;
      log(`shape ${name} skipped: ${shape.skipped}`);
      continue;
    }
    if (sequentialSkipped) shape.notes.push(`sequential method skipped: ${sequentialSkipped}`);
    log(`shape ${name}: seeding ${shape.desc}...`);
    const repo = `bench/shape-${name}`;
    const storeRoot = join(dir, `source-${name}`);
    const manifest = await seedSource(storeRoot, `shape-${name}`, files);
    const manifestFile = join(dir, `manifest-${name}.json`);
    await writeFile(manifestFile, JSON.stringify(manifest));
    const source = await startHub(storeRoot, usersFile, opts.shaping);
    const ctx = {
      dir,
      usersFile,
      shaping: opts.shaping,
      repo,
      manifest,
      manifestFile,
      python,
      streams: opts.streams,
      warnings: new Set(),
    };
    const extras = new Set();
    try {
      for (let r = 1; r <= opts.rounds; r++) {
        for (const [key, direction] of Object.entries(DIRECTIONS)) {
          log(`shape ${name}, round ${r}/${opts.rounds}, ${direction.label}`);
          shape.dirs[key] ??= { read: [], upload: [], pipe: [], hubferry: [], noop: [], sequential: [] };
          const d = shape.dirs[key];
          const step = async (what, fn) => {
            const t = await attempt(`shape ${name} ${direction.label} round ${r}: ${what}`, fn);
            if (!t) shape.notes.push(`FAILED ${direction.label} round ${r}: ${what} (${failures.at(-1)})`);
            else log(`  ${what}: ${t.seconds?.toFixed(2) ?? t.run?.seconds.toFixed(2)} s`);
            return t;
          };
          d.read.push(await step("read alone", () => readAlone(ctx, direction, source)));
          d.upload.push(await step("upload alone", () => uploadAlone(ctx, direction)));
          d.pipe.push(await step("naive pipe", () => naivePipe(ctx, direction, source)));
          const h = await step("hubferry migrate (+ no-op)", () => hubferry(ctx, direction, source));
          d.hubferry.push(h?.run);
          d.noop.push(h?.noop);
          for (const p of h?.run.extra ?? []) extras.add(`hubferry ${direction.label}: ${p}`);
          if (!sequentialSkipped) {
            const s = await step("sequential (official clients)", () => sequential(ctx, direction, source));
            d.sequential.push(s);
            for (const p of s?.extra ?? []) extras.add(`sequential ${direction.label}: ${p}`);
          }
        }
      }
    } finally {
      const link = await source.stop({ remove: true });
      await rm(manifestFile, { force: true });
      // Every copy and every read-alone pass reads the whole repo from the source once.
      const reads = opts.rounds * 2 * (sequentialSkipped ? 3 : 4);
      if (link) {
        shape.notes.push(
          `through the source hub's shaper: ${(link.down / 1e6).toFixed(0)} MB sent over ${link.connections} TCP connections, for ${reads} whole reads of ${(totalBytes / 1e6).toFixed(0)} MB`,
        );
        if (link.down < reads * totalBytes && !failures.length)
          ctx.warnings.add("fewer bytes crossed the source's shaper than were read: something bypassed it");
      }
    }
    for (const w of ctx.warnings) shape.notes.push(`WARNING ${w}`);
    if (extras.size)
      shape.notes.push(`files beyond the source's at the destination: ${[...extras].join(", ")}`);
  }
  const text = renderReport({
    date,
    quick: opts.quick,
    rounds: opts.rounds,
    shaping: opts.shaping,
    command,
    machine,
    shapes,
  });
  process.stdout.write(text);
  const out =
    opts.out ??
    join(root, "bench", "results", `${date}${opts.quick ? "-quick" : ""}${opts.shaping ? "-shaped" : ""}.md`);
  await mkdir(join(out, ".."), { recursive: true });
  await writeFile(out, text);
  log(`written to ${out}`);
  if (failures.length) {
    log(`${failures.length} measurement(s) failed:\n  ${failures.join("\n  ")}`);
    process.exitCode = 1;
  }
} finally {
  await cleanup();
}
