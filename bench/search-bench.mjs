#!/usr/bin/env node
// Search at scale: a local hub holding N generated model repos (default 100,000), and
//   - the hub's own search latency, the first query after start (the index is built then) and
//     warm (median of 10), for a query with filters and for filters alone over every repo;
//   - `hubferry search` with a query and filters as a user runs it (a child process, start-up
//     included): cold (an empty metadata cache) and cached, medians of 5, against the goal of 2 s.
// With `--compare DIR` (another checkout, built), its hub answers the same queries over the same
// store in the same run: a before/after of the index. Results: bench/results/search.md (or --out).
// `npm run bench:search`.
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { stopChild, track } from "./lib/children.mjs";
import { serveArgv } from "./lib/hubs.mjs";
import { baseEnv, TOKENS } from "./lib/measure.mjs";
import { scratchDir } from "./lib/scratch.mjs";
import { generatedRepo, generateStore } from "./lib/search-store.mjs";
import { timed } from "./lib/timed.mjs";
import { benchUsersFile } from "./lib/users-file.mjs";

const root = new URL("..", import.meta.url).pathname;
const log = (s) => process.stderr.write(`${s}\n`);
const USAGE = `usage: node bench/search-bench.mjs [--repos N] [--compare DIR] [--out FILE]

  --repos N      generated repos in the hub (default 100000)
  --compare DIR  another hubferry checkout (built): its hub answers the same queries too
  --out FILE     where the Markdown goes (default bench/results/search.md)
`;

function parseArgs(argv) {
  const o = { repos: 100_000, out: join(root, "bench/results/search.md") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--repos") o.repos = Number(argv[++i]);
    else if (a === "--compare") o.compare = argv[++i];
    else if (a === "--out") o.out = argv[++i];
    else if (a === "--help" || a === "-h") o.help = true;
    else throw new Error(`unknown option ${a}\n\n${USAGE}`);
  }
  if (!Number.isInteger(o.repos) || o.repos < 1)
    throw new Error(`--repos: a positive whole number\n\n${USAGE}`);
  return o;
}

const opts = parseArgs(process.argv.slice(2));
if (opts.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

/** `hubferry serve` from checkout `dir` over `store`; resolves once it listens, with its start time. */
function serve(dir, store, usersFile) {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const argv = serveArgv(store, usersFile, [], dir);
    const child = track(spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] }));
    let err = "";
    child.stderr.on("data", (d) => {
      err = (err + d).slice(-4000);
    });
    createInterface({ input: child.stdout }).once("line", (l) =>
      resolve({ url: JSON.parse(l).url, child, startSeconds: (Date.now() - t0) / 1000 }),
    );
    child.once("exit", (c) => reject(new Error(`hub from ${dir} exited (${c}): ${err}`)));
  });
}

// A query with filters (about 1 in 90 repos match the words, a 20th of those the filters), and
// filters alone, which every repo of the hub is checked against.
const QUERIES = {
  "words + task + library, newest first":
    "search=model-12&filter=text-generation&filter=transformers&sort=lastModified&limit=100",
  "task alone, over every repo": "pipeline_tag=text-classification&limit=20",
};

async function hubLatency(url) {
  const ask = async (query) => {
    const t0 = performance.now();
    const res = await fetch(`${url}/api/models?${query}`, {
      headers: { authorization: `Bearer ${TOKENS.hf}` },
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`${query}: ${res.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - t0, count: Number(res.headers.get("x-total-count")) };
  };
  const out = {};
  for (const [name, query] of Object.entries(QUERIES)) {
    const first = await ask(query);
    const warm = [];
    for (let i = 0; i < 5; i++) warm.push((await ask(query)).ms);
    out[name] = { first: first.ms, warm: median(warm), count: first.count };
    log(`  ${name}: first ${first.ms.toFixed(0)} ms, warm ${out[name].warm.toFixed(0)} ms`);
  }
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `hubferry search` as a user types it, cold (its own empty cache each time) and cached. */
async function cliSearch(url, dir) {
  const argv = [
    join(root, "bin/hubferry.js"),
    "search",
    "models",
    "model-12",
    "--task",
    "text-generation",
    "--library",
    "transformers",
    "--sort",
    "updated",
    "--json",
  ];
  const env = { ...baseEnv({ dir }), HF_ENDPOINT: url };
  const once = async (cache) => {
    const r = await timed(process.execPath, argv, { ...env, HUBFERRY_CACHE: cache });
    if (r.code !== 0) throw new Error(`hubferry search: exit ${r.code}\n${r.err.slice(-2000)}`);
    return { seconds: r.seconds, rssMiB: r.rssMiB, hits: JSON.parse(r.out) };
  };
  const cold = [];
  for (let i = 0; i < 5; i++) cold.push(await once(join(dir, `cold-${i}`)));
  const cached = [];
  for (let i = 0; i < 5; i++) cached.push(await once(join(dir, "cold-0")));
  const expected = cold[0].hits.length;
  for (const r of [...cold, ...cached])
    if (r.hits.length !== expected) throw new Error("cached and fresh searches disagree on the hits");
  if (!cached.every((r) => r.hits.every((h) => h.cache?.hit)))
    throw new Error("a cached search asked the hub");
  return {
    cold: median(cold.map((r) => r.seconds)),
    cached: median(cached.map((r) => r.seconds)),
    rssMiB: Math.max(...cold.map((r) => r.rssMiB)),
    hits: expected,
  };
}

/** What the generator put in: how many public repos the first query must find. */
function expectedFirstQuery(n) {
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = generatedRepo(i);
    if (
      !r.private &&
      r.name.includes("model-12") &&
      r.task === "text-generation" &&
      r.library === "transformers"
    )
      count++;
  }
  return count;
}

const { dir, cleanup } = await scratchDir("hubferry-search-bench-", log);
try {
  const usersFile = await benchUsersFile(dir);
  const store = join(dir, "store");
  log(`generating ${opts.repos} repos...`);
  const generateSeconds = await generateStore(store, opts.repos, log);
  const servers = [{ name: "this checkout", dir: root }];
  if (opts.compare) servers.push({ name: `--compare ${opts.compare}`, dir: opts.compare });
  const rows = [];
  let cli;
  for (const s of servers) {
    log(`hub from ${s.name}...`);
    const hub = await serve(s.dir, store, usersFile);
    const latency = await hubLatency(hub.url);
    const first = Object.values(latency)[0];
    if (first.count !== expectedFirstQuery(opts.repos))
      throw new Error(`${s.name}: ${first.count} hits, expected ${expectedFirstQuery(opts.repos)}`);
    if (s.dir === root) cli = await cliSearch(hub.url, dir);
    rows.push({ ...s, startSeconds: hub.startSeconds, latency });
    await stopChild(hub.child);
  }
  const ms = (x) => `${x.toFixed(0)} ms`;
  const md = [
    `# Search at scale (${new Date().toISOString().slice(0, 10)})`,
    "",
    `- CPU: ${cpus().length} × ${cpus()[0]?.model ?? "?"}; load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" / ")}`,
    `- A local hub of ${opts.repos.toLocaleString("en")} generated model repos (README card + config.json each; 1 in 50 private), written in ${generateSeconds.toFixed(0)} s.`,
    "",
    "## `hubferry search models model-12 --task text-generation --library transformers --sort updated`",
    "",
    "A child process, start-up included; medians of 5. Cold: an empty metadata cache (the hub's index already built by the queries below).",
    "",
    "| | seconds | goal |",
    "| --- | --- | --- |",
    `| cold | ${cli.cold.toFixed(2)} | < 2 s |`,
    `| cached | ${cli.cached.toFixed(2)} | |`,
    `| hits | ${cli.hits} | |`,
    `| peak RSS | ${cli.rssMiB.toFixed(0)} MiB | |`,
    "",
    "## The hub's own search latency",
    "",
    "First: the first query after the hub started (the index of head commits is built by it). Warm: median of 5.",
    "",
    "| hub | start | query | hits (at most the limit) | first | warm |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.flatMap((r) =>
      Object.entries(r.latency).map(
        ([q, l]) =>
          `| ${r.name} | ${r.startSeconds.toFixed(1)} s | ${q} | ${l.count} | ${ms(l.first)} | ${ms(l.warm)} |`,
      ),
    ),
    "",
    `Command: \`npm run bench:search${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\``,
    "",
  ].join("\n");
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, md);
  process.stdout.write(md);
} finally {
  await cleanup();
}
