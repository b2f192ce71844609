#!/usr/bin/env node
// Any-to-any benchmark: the copies `hubferry migrate` makes besides HF <-> ModelScope, on one local
// hub (`hubferry serve`, both API faces over one store), side by side with their alternative:
//   1. HF -> HF into a new repo: the hub's server-side duplicate vs the same copy streamed
//      (`--revision <head sha>`: migrate.ts takes the duplicate only without filters or revision);
//   2. ModelScope -> ModelScope: hubferry (streamed) vs snapshot_download then upload_folder;
//   3. a local folder -> HF: hubferry vs huggingface_hub's upload_folder.
// Each a child process under /usr/bin/time -v, each result checked byte for byte against the seed.
// `--help` for the options. Results: bench/results/any-to-any.md (or --out).
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ANY_USAGE, parseAnyArgs } from "./lib/any-args.mjs";
import { headSha, hubferryCmd, measure, sequentialCmd, writeFolder } from "./lib/any-measure.mjs";
import { renderAnyToAny } from "./lib/any-report.mjs";
import { isClosing, stopAll } from "./lib/children.mjs";
import { startHub } from "./lib/hubs.mjs";
import { describeMachine, freeBytes } from "./lib/machine.mjs";
import { baseEnv, TOKENS } from "./lib/measure.mjs";
import { seedSource } from "./lib/seed.mjs";
import { describeShape, shapeFiles } from "./lib/shapes.mjs";
import { benchOptions } from "./lib/start.mjs";
import { HAVE_TIME } from "./lib/timed.mjs";
import { GiB } from "./lib/units.mjs";

const root = new URL("..", import.meta.url).pathname;
const log = (s) => process.stderr.write(`${s}\n`);
const opts = benchOptions(parseAnyArgs, ANY_USAGE, "npm run bench:any");
if (!HAVE_TIME) log("note: /usr/bin/time is missing, so peak RSS, disk writes and CPU are not measured.");

const python = { hf: join(root, ".venv/hf/bin/python"), ms: join(root, ".venv/msnew/bin/python") };
let sequentialSkipped;
if (!opts.sequential) sequentialSkipped = "--no-sequential";
else if (!existsSync(python.hf) || !existsSync(python.ms))
  sequentialSkipped = "the official clients are not installed (.venv/hf, .venv/msnew): run `npm run setup`";
if (sequentialSkipped) log(`official clients skipped: ${sequentialSkipped}`);

const args = process.argv.slice(2);
const command = `npm run bench:any${args.length ? ` -- ${args.join(" ")}` : ""}`;
const dir = await mkdtemp(join(tmpdir(), "hubferry-any-"));
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
    log(`${sig}: stopping the hub and removing ${dir}`);
    void cleanup().then(() => process.exit(130));
  });
process.stdout.on("error", () => {});

const failures = [];
/** One measurement; a failure is noted in the report and the run goes on. */
async function attempt(ctx, spec) {
  log(`${spec.label}...`);
  try {
    const m = await measure(ctx, spec);
    log(`  ${m.seconds.toFixed(2)} s`);
    return m;
  } catch (err) {
    if (isClosing()) return new Promise(() => {});
    failures.push(`${spec.label}: ${err.message.split("\n")[0]}`);
    log(`  FAILED ${spec.label}: ${err.message}`);
    return { label: spec.label, failed: err.message.split("\n")[0] };
  }
}

try {
  const usersFile = join(dir, "users.yaml");
  await writeFile(
    usersFile,
    `users:\n  - name: bench\n    admin: true\n    tokens:\n      - { value: ${TOKENS.hf} }\n      - { value: ${TOKENS.ms} }\n`,
  );
  const files = shapeFiles("a", opts.quick);
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  // The store ends with the source and six copies (a duplicate shares no blob file here only if
  // the hub copies them; count it whole), the folder and one staging folder.
  const needed = 9 * totalBytes + GiB;
  if (freeBytes(dir) < needed) {
    log(`${(needed / GiB).toFixed(1)} GiB of free disk needed in ${tmpdir()}`);
    process.exit(1);
  }
  const machine = describeMachine(tmpdir(), sequentialSkipped ? undefined : python);
  log(`seeding hf:bench/a and ms:bench/a: ${describeShape(files)}...`);
  const storeRoot = join(dir, "store");
  const manifest = await seedSource(storeRoot, "a", files);
  const hub = await startHub(storeRoot, usersFile);
  const env = { ...baseEnv({ dir }), HF_ENDPOINT: hub.url, MODELSCOPE_ENDPOINT: hub.url };
  const ctx = { hub, env, manifest, python };
  const rows = {};
  const seq = !sequentialSkipped;

  rows.hfDuplicate = await attempt(ctx, {
    label: "HF → HF: hubferry migrate (server-side duplicate)",
    ...hubferryCmd("migrate", "hf:bench/a", "hf:bench/a-copy", "--yes", "--json"),
    dest: { face: "hf", repo: "bench/a-copy" },
  });
  const sha = await headSha(hub, "bench/a");
  rows.hfStream = await attempt(ctx, {
    label: "HF → HF: hubferry migrate --revision <head sha> (streamed)",
    ...hubferryCmd("migrate", "hf:bench/a", "hf:bench/a-stream", "--revision", sha, "--yes", "--json"),
    dest: { face: "hf", repo: "bench/a-stream" },
  });
  rows.msHubferry = await attempt(ctx, {
    label: "MS → MS: hubferry migrate (streamed)",
    ...hubferryCmd("migrate", "ms:bench/a", "ms:bench/a-copy", "--yes", "--json"),
    dest: { face: "ms", repo: "bench/a-copy" },
  });
  if (seq) {
    const stage = join(dir, "stage-ms");
    rows.msSequential = await attempt(ctx, {
      label: "MS → MS: official snapshot_download, then upload_folder",
      ...sequentialCmd(ctx, { direction: "ms2ms", repo: "bench/a", dest_repo: "bench/a-seq", stage }),
      dest: { face: "ms", repo: "bench/a-seq" },
    });
    await rm(stage, { recursive: true, force: true });
  }
  const folder = join(dir, "folder-a");
  log(`writing the folder ${folder}...`);
  await writeFolder(folder, manifest);
  rows.folderHubferry = await attempt(ctx, {
    label: "folder → HF: hubferry migrate ./folder",
    ...hubferryCmd("migrate", folder, "hf:bench/a-from-folder", "--yes", "--json"),
    dest: { face: "hf", repo: "bench/a-from-folder" },
  });
  if (seq)
    rows.folderSequential = await attempt(ctx, {
      label: "folder → HF: huggingface_hub upload_folder",
      ...sequentialCmd(ctx, { direction: "folder2hf", repo: "bench/a-upload-folder", stage: folder }),
      dest: { face: "hf", repo: "bench/a-upload-folder" },
    });
  await hub.stop();

  const text = renderAnyToAny({
    date: new Date().toISOString().slice(0, 10),
    quick: opts.quick,
    command,
    machine,
    shape: describeShape(files),
    totalBytes,
    sha,
    rows,
    sequentialSkipped,
  });
  process.stdout.write(text);
  const out = opts.out ?? join(root, "bench", "results", `any-to-any${opts.quick ? "-quick" : ""}.md`);
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
