#!/usr/bin/env node
// Scale benchmark: how hubferry's cost grows with the number of files. Repos of 1,000, 10,000 and
// 100,000 small files (1-4 KiB each, in 100 folders), seeded straight into a local hub's store, are
// migrated HF -> ModelScope onto a fresh hub: the plan alone (`--dry-run`), the copy, and a no-op
// re-run, each a child process under /usr/bin/time -v (wall, peak RSS, CPU), with the hubs' request
// counts per file. Every copy is checked file by file against the seed.
// `--help` for the options. Results: bench/results/scale.md (or --out).
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isClosing } from "./lib/children.mjs";
import { requestCounts, requestsBetween, startHub } from "./lib/hubs.mjs";
import { describeMachine } from "./lib/machine.mjs";
import { baseEnv, failed, TOKENS } from "./lib/measure.mjs";
import { scratchDir } from "./lib/scratch.mjs";
import { seedSource } from "./lib/seed.mjs";
import { benchOptions } from "./lib/start.mjs";
import { HAVE_TIME, timed } from "./lib/timed.mjs";
import { verifyRepo } from "./lib/verify.mjs";

const USAGE = `npm run bench:scale [-- options]

  --counts N,N,...   repo sizes in files (default 1000,10000,100000)
  --quick            1000 and 10000 files only
  --out FILE         where the report goes (default bench/results/scale.md)
  --help             this text
`;

function parseArgs(argv) {
  const opts = { counts: [1000, 10000, 100000], out: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") opts.help = true;
    else if (a === "--quick") opts.counts = [1000, 10000];
    else if (a === "--out") opts.out = argv[++i];
    else if (a === "--counts") {
      opts.counts = String(argv[++i] ?? "")
        .split(",")
        .map(Number);
      if (opts.counts.some((n) => !Number.isInteger(n) || n < 1 || n > 1_000_000))
        throw new Error("--counts takes whole numbers from 1 to 1,000,000, comma-separated");
    } else throw new Error(`unknown option ${a} (--help lists them)`);
  }
  return opts;
}

const root = new URL("..", import.meta.url).pathname;
const log = (s) => process.stderr.write(`${s}\n`);
const opts = benchOptions(parseArgs, USAGE, "npm run bench:scale");
if (!HAVE_TIME) log("note: /usr/bin/time is missing, so peak RSS and CPU are not measured.");

/** N small files, 1-4 KiB of text each, spread over 100 folders. */
function smallFiles(n) {
  const files = [];
  for (let i = 0; i < n; i++)
    files.push({
      path: `data/${String(i % 100).padStart(2, "0")}/item-${String(i).padStart(6, "0")}.json`,
      size: 1024 + ((i * 7919) % (3 * 1024)),
      salt: 5000 + i,
      kind: "text",
    });
  return files;
}

const { dir, cleanup } = await scratchDir("hubferry-scale-", log);

/** One hubferry run, timed, with the requests both hubs answered meanwhile. */
async function step(label, env, hubs, argv) {
  log(`  ${label}...`);
  const before = await Promise.all(hubs.map(requestCounts));
  const r = await timed(process.execPath, [join(root, "bin/hubferry.js"), ...argv, "--json"], env);
  const after = await Promise.all(hubs.map(requestCounts));
  if (r.code !== 0) throw failed(label, r);
  const plan = r.out
    .split("\n")
    .filter((l) => l.startsWith('{"event":"plan"'))
    .map((l) => JSON.parse(l))[0];
  const requests = hubs.reduce((n, _, i) => n + requestsBetween(before[i], after[i]), 0);
  const routes = {};
  for (const [i, a] of after.entries())
    for (const [k, v] of Object.entries(a))
      if (v - (before[i][k] ?? 0) > 0) routes[k] = (routes[k] ?? 0) + v - (before[i][k] ?? 0);
  if (process.env.SCALE_ROUTES) log(`    routes: ${JSON.stringify(routes)}`);
  log(`    ${r.seconds.toFixed(2)} s, ${r.rssMiB.toFixed(0)} MiB, ${requests} requests`);
  return {
    seconds: r.seconds,
    rssMiB: r.rssMiB,
    cpuSeconds: r.cpuSeconds,
    requests,
    toCopy: plan?.copy.length,
  };
}

const rows = [];
try {
  const usersFile = join(dir, "users.yaml");
  await writeFile(
    usersFile,
    `users:\n  - name: bench\n    admin: true\n    tokens:\n      - { value: ${TOKENS.hf} }\n      - { value: ${TOKENS.ms} }\n`,
  );
  const machine = describeMachine(tmpdir());
  for (const n of opts.counts) {
    const name = `scale-${n}`;
    log(`${n.toLocaleString("en")} files: seeding hf:bench/${name}...`);
    const files = smallFiles(n);
    const storeRoot = join(dir, `store-${n}`);
    const manifest = await seedSource(storeRoot, name, files);
    const source = await startHub(storeRoot, usersFile);
    const dest = await startHub(join(dir, `dest-${n}`), usersFile);
    const env = { ...baseEnv({ dir }), HF_ENDPOINT: source.url, MODELSCOPE_ENDPOINT: dest.url };
    const args = ["migrate", `hf:bench/${name}`, `ms:bench/${name}`, "--yes"];
    try {
      const plan = await step("plan (--dry-run)", env, [source, dest], [...args, "--dry-run"]);
      const copy = await step("copy", env, [source, dest], args);
      await verifyRepo(
        { face: "ms", url: dest.direct, token: TOKENS.ms, repo: `bench/${name}` },
        manifest,
        "copy",
      );
      const again = await step("no-op re-run", env, [source, dest], args);
      if (again.toCopy !== 0) throw new Error(`the re-run of ${n} files planned ${again.toCopy} copies`);
      // As a fresh sandbox would run it: no hash pairs cached, so every small file is read to compare.
      const coldEnv = { ...env, HUBFERRY_CACHE: join(dir, `cold-${n}`) };
      const cold = await step("no-op re-run, nothing cached", coldEnv, [source, dest], args);
      if (cold.toCopy !== 0) throw new Error(`the cold re-run of ${n} files planned ${cold.toCopy} copies`);
      const bytes = files.reduce((s, f) => s + f.size, 0);
      rows.push({ n, bytes, plan, copy, again, cold });
    } catch (err) {
      if (isClosing()) await new Promise(() => {});
      log(`  FAILED: ${err.message}`);
      rows.push({ n, failed: err.message.split("\n")[0] });
    } finally {
      await source.stop({ remove: true });
      await dest.stop({ remove: true });
    }
  }
  const text = render({ date: new Date().toISOString().slice(0, 10), machine, rows });
  const out = opts.out ?? join(root, "bench/results/scale.md");
  await writeFile(out, text);
  process.stdout.write(text);
  log(`written to ${out}`);
} finally {
  await cleanup();
}

function render({ date, machine, rows }) {
  const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
  const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");
  const lines = [
    `# Scale: migrate HF → ModelScope by number of files (${date})`,
    "",
    `Machine: ${machine}. Command: \`npm run bench:scale${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\`.`,
    "Two local hubs (`hubferry serve`), unshaped loopback; each step a child process under `/usr/bin/time -v`.",
    "Requests: both hubs, per file. Every copy checked file by file against the seed.",
    "No-op: the re-run with the hash pairs the copy learnt (Hugging Face lists small files by git blob id,",
    "ModelScope by sha256); cold: the same from an empty cache, as a fresh sandbox runs it (each small file read to compare).",
    "",
    "| files | bytes | plan s | plan MiB | copy s | files/s | copy MiB | copy req/file | no-op s | no-op MiB | no-op requests | no-op cold s | cold MiB | cold requests |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    if (r.failed) {
      lines.push(`| ${r.n.toLocaleString("en")} | failed: ${r.failed} | | | | | | | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${r.n.toLocaleString("en")} | ${(r.bytes / 2 ** 20).toFixed(1)} MiB | ${f2(r.plan.seconds)} | ${f1(r.plan.rssMiB)} | ${f2(r.copy.seconds)} | ${f1(r.n / r.copy.seconds)} | ${f1(r.copy.rssMiB)} | ${f2(r.copy.requests / r.n)} | ${f2(r.again.seconds)} | ${f1(r.again.rssMiB)} | ${r.again.requests} | ${f2(r.cold.seconds)} | ${f1(r.cold.rssMiB)} | ${r.cold.requests} |`,
    );
  }
  lines.push(
    "",
    "Goals (issue 16): 100,000 files: no-op re-run under 10 s, peak RSS under 300 MB; memory nearly flat in file count.",
    "",
  );
  return lines.join("\n");
}
