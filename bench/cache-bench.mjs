#!/usr/bin/env node
// Metadata-cache benchmark: a repeated-operations workload against one local hub. Every round runs,
// for each of N repos, `info`, `tree` and `pull`, plus a few searches; between rounds a few repos
// change upstream. Reported: the share of answers served whole from the cache (goal > 80%), the
// requests the hub answered against the same answers fetched with no cache, and every cached answer
// checked against a fresh fetch: stale within the TTL is allowed, stale beyond it is a failure
// (goal: none). Results: bench/results/cache.md (or --out). `npm run bench:cache`.
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { requestCounts, requestsBetween, startHub } from "./lib/hubs.mjs";
import { baseEnv, TOKENS } from "./lib/measure.mjs";
import { scratchDir } from "./lib/scratch.mjs";
import { timed } from "./lib/timed.mjs";

const root = new URL("..", import.meta.url).pathname;
const log = (s) => process.stderr.write(`${s}\n`);
const USAGE = `usage: node bench/cache-bench.mjs [--repos N] [--rounds N] [--changes N] [--ttl SECONDS] [--out FILE]

  --repos N      repos in the workload (default 10)
  --rounds N     rounds of the workload (default 6)
  --changes N    repos changed upstream between rounds (default 2)
  --ttl S        --max-age of info, tree and search, in seconds (default 30)
  --out FILE     where the Markdown goes (default bench/results/cache.md)
`;

function parseArgs(argv) {
  const o = { repos: 10, rounds: 6, changes: 2, ttl: 30, out: join(root, "bench/results/cache.md") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const n = Number(argv[++i]);
      if (!(n >= 0) || !Number.isInteger(n)) throw new Error(`${a}: a whole number\n\n${USAGE}`);
      return n;
    };
    if (a === "--repos") o.repos = num();
    else if (a === "--rounds") o.rounds = num();
    else if (a === "--changes") o.changes = num();
    else if (a === "--ttl") o.ttl = num();
    else if (a === "--out") o.out = argv[++i];
    else if (a === "--help" || a === "-h") o.help = true;
    else throw new Error(`unknown option ${a}\n\n${USAGE}`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
if (opts.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

/** A minimal safetensors file: `info` reads its header by range. */
function safetensors(rows) {
  const header = Buffer.from(
    JSON.stringify({ "w.weight": { dtype: "F32", shape: [rows, 4], data_offsets: [0, rows * 16] } }),
  );
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header, Buffer.alloc(rows * 16, 1)]);
}

async function commit(hub, repo, files, summary) {
  const lines = [
    { key: "header", value: { summary } },
    ...Object.entries(files).map(([path, data]) => ({
      key: "file",
      value: { path, content: data.toString("base64"), encoding: "base64" },
    })),
  ];
  const res = await fetch(`${hub.direct}/api/models/${repo}/commit/main`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKENS.hf}`, "content-type": "application/x-ndjson" },
    body: lines.map((l) => JSON.stringify(l)).join("\n"),
  });
  if (res.status !== 200) throw new Error(`commit to ${repo}: ${res.status} ${await res.text()}`);
}

async function seed(hub, n) {
  const repos = [];
  for (let i = 0; i < n; i++) {
    const name = `cachebench-${i}`;
    const res = await fetch(`${hub.direct}/api/repos/create`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKENS.hf}`, "content-type": "application/json" },
      body: JSON.stringify({ name, type: "model" }),
    });
    if (res.status !== 200) throw new Error(`create ${name}: ${res.status} ${await res.text()}`);
    await commit(
      hub,
      `bench/${name}`,
      {
        "README.md": Buffer.from(`---\nlicense: mit\nlibrary_name: transformers\n---\n# ${name}\n`),
        "config.json": Buffer.from(`{"hidden_size": ${i + 1}}`),
        "model.safetensors": safetensors(i + 1),
      },
      "seed",
    );
    repos.push(`bench/${name}`);
  }
  return repos;
}

/** One hubferry command; its stdout (it must succeed). */
async function run(argv, env) {
  const r = await timed(process.execPath, [join(root, "bin/hubferry.js"), ...argv], env);
  if (r.code !== 0) throw new Error(`hubferry ${argv.join(" ")}: exit ${r.code}\n${r.err.slice(-2000)}`);
  return r.out;
}

/** What an answer says, minus where it came from: a cached and a fresh answer must agree on it. */
function essence(kind, answer) {
  if (kind === "search") return JSON.stringify(answer.map(({ cache, updated, ...h }) => h));
  if (kind === "info") return `${answer.details.sha} ${JSON.stringify(answer.files)}`;
  const { cache, ...tree } = answer;
  return JSON.stringify(tree);
}

const { dir, cleanup } = await scratchDir("hubferry-cache-bench-", log);
try {
  const usersFile = join(dir, "users.yaml");
  await writeFile(
    usersFile,
    `users:\n  - name: bench\n    admin: true\n    tokens:\n      - { value: ${TOKENS.hf} }\n      - { value: ${TOKENS.ms} }\n`,
  );
  const hub = await startHub(join(dir, "store"), usersFile);
  log(`seeding ${opts.repos} repos...`);
  const repos = await seed(hub, opts.repos);
  const env = { ...baseEnv({ dir }), HF_ENDPOINT: hub.url, HUBFERRY_CACHE: join(dir, "cache") };
  let freshN = 0;
  /** A fetch with an empty cache of its own: what the hub says now. */
  const fresh = (argv) => run(argv, { ...env, HUBFERRY_CACHE: join(dir, `fresh-${++freshN}`) });
  const changedAt = new Map();
  const ttlMs = opts.ttl * 1000;
  const tally = { answers: 0, hits: 0, withCache: 0, without: 0, staleWithin: 0, staleBeyond: 0, pulls: [] };
  const t0 = Date.now();
  for (let round = 1; round <= opts.rounds; round++) {
    log(`round ${round}/${opts.rounds}`);
    const asks = [];
    for (const repo of repos) {
      asks.push({ kind: "info", repo, argv: ["info", "model", repo, "--json"] });
      asks.push({ kind: "tree", repo, argv: ["tree", repo, "--json"] });
    }
    for (const q of [["cachebench"], ["cachebench", "--author", "bench"], ["cachebench-1"]])
      asks.push({ kind: "search", argv: ["search", "models", ...q, "--json"] });
    for (const ask of asks) {
      const before = await requestCounts(hub);
      const at = Date.now();
      const answer = JSON.parse(await run([...ask.argv, "--max-age", `${opts.ttl}s`], env));
      const mid = await requestCounts(hub);
      const now = JSON.parse(await fresh(ask.argv));
      tally.withCache += requestsBetween(before, mid);
      tally.without += requestsBetween(mid, await requestCounts(hub));
      tally.answers++;
      const hit =
        ask.kind === "search" ? answer.every((h) => h.cache?.hit) && answer.length > 0 : answer.cache?.hit;
      if (hit) tally.hits++;
      if (essence(ask.kind, answer) !== essence(ask.kind, now)) {
        // The newest upstream change this answer missed, and how long before the answer it was made.
        const missed = ask.repo ? changedAt.get(ask.repo) : Math.max(0, ...changedAt.values());
        if (missed !== undefined && at - missed > ttlMs) {
          tally.staleBeyond++;
          log(
            `  STALE beyond the TTL: ${ask.argv.join(" ")} (${((at - missed) / 1000).toFixed(1)} s after the change)`,
          );
        } else tally.staleWithin++;
      }
    }
    for (const repo of repos) {
      const before = await requestCounts(hub);
      await run(["pull", "model", repo, "--json"], env);
      tally.pulls.push({ round, requests: requestsBetween(before, await requestCounts(hub)) });
    }
    for (let c = 0; c < opts.changes && round < opts.rounds; c++) {
      const repo = repos[(round * opts.changes + c) % repos.length];
      await commit(
        hub,
        repo,
        { "README.md": Buffer.from(`---\nlicense: mit\n---\n# round ${round}\n`) },
        `change ${round}`,
      );
      changedAt.set(repo, Date.now());
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  await hub.stop();
  const pullReq = (r) => tally.pulls.filter((p) => (r === 1 ? p.round === 1 : p.round > 1));
  const avg = (xs) => (xs.length ? xs.reduce((n, p) => n + p.requests, 0) / xs.length : 0);
  const hitRate = tally.hits / tally.answers;
  const md = [
    `# Metadata cache: repeated operations (${new Date().toISOString().slice(0, 10)})`,
    "",
    `- CPU: ${cpus().length} × ${cpus()[0]?.model ?? "?"}; load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" / ")}`,
    `- Workload: ${opts.repos} repos × ${opts.rounds} rounds; each round \`info\` and \`tree\` of every repo, 3 searches, then \`pull\` of every repo; ${opts.changes} repos changed upstream between rounds. \`--max-age ${opts.ttl}s\` on info, tree and search; pull at its default (asks for the head every time). ${seconds.toFixed(0)} s in all.`,
    "- Every answer is checked against the same command run with an empty cache of its own, right after it.",
    "",
    "| measure | value | goal |",
    "| --- | --- | --- |",
    `| answers served whole from the cache (info, tree, search) | ${(hitRate * 100).toFixed(1)}% (${tally.hits} of ${tally.answers}) | > 80% |`,
    `| requests for those answers, with the cache | ${tally.withCache} | |`,
    `| requests for the same answers with no cache | ${tally.without} | |`,
    `| requests saved | ${(100 * (1 - tally.withCache / Math.max(1, tally.without))).toFixed(1)}% | |`,
    `| answers behind upstream within the TTL (allowed) | ${tally.staleWithin} | |`,
    `| answers behind upstream beyond the TTL | ${tally.staleBeyond} | none |`,
    `| requests per pull, first round | ${avg(pullReq(1)).toFixed(1)} | |`,
    `| requests per pull, later rounds (head asked, listing cached) | ${avg(pullReq(2)).toFixed(1)} | |`,
    "",
    `Command: \`npm run bench:cache${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\``,
    "",
  ].join("\n");
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, md);
  process.stdout.write(md);
  if (tally.staleBeyond > 0) process.exitCode = 1;
} finally {
  await cleanup();
}
