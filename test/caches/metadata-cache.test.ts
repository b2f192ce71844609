import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliRun, runCli } from "../helpers/cli.js";
import { randomName } from "../helpers/fixtures.js";
import { type HubPair, startHubPair, USERS } from "../helpers/local-hub.js";
import { seedHf } from "../helpers/seed.js";
import { tempDir } from "../helpers/tmp.js";
import { safetensorsFile } from "../helpers/weights.js";

/**
 * The metadata cache through the real CLI against the local hubs over HTTP: what it saves (counted
 * by the hub's own request stats), what it never shows (a stale head after a write, another token's
 * private repo, two commits mixed), offline answers, and its bound.
 */
let pair: HubPair;
let cache: { path: string; cleanup: () => Promise<void> };
const tag = randomName("mc");
const model = `alice/${tag}-model`;
const hidden = `bob/${tag}-secret`;

before(async () => {
  pair = await startHubPair("metadata-cache");
  cache = await tempDir("metadata-cache");
  await seedHf(
    pair.hf.url,
    USERS.alice.token,
    { type: "model", name: model },
    {
      "README.md": Buffer.from("---\nlicense: mit\nlibrary_name: transformers\n---\n# m\n"),
      "config.json": Buffer.from('{"hidden_size": 8}'),
      "model.safetensors": safetensorsFile({ "a.weight": { dtype: "F32", shape: [4, 8] } }),
    },
  );
  await seedHf(
    pair.hf.url,
    USERS.bob.token,
    { type: "model", name: hidden },
    { "a.txt": Buffer.from("x") },
    { private: true },
  );
});
after(async () => {
  await pair?.stop();
  await cache?.cleanup();
});

function cli(args: string[], extra: Record<string, string | undefined> = {}): Promise<CliRun> {
  return runCli(args, pair.env({ HUBFERRY_CACHE: cache.path, ...extra }));
}

function ok(run: CliRun): CliRun {
  assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}${run.stdout.slice(-500)}`);
  return run;
}

/** Requests the Hugging Face hub answered (every route but the admin's own). */
async function hfRequests(): Promise<number> {
  const stats = await pair.hf.stats();
  return Object.entries(stats)
    .filter(([route]) => !route.startsWith("admin"))
    .reduce((n, [, c]) => n + c, 0);
}

/** Runs a command and says how many requests reached the hub while it ran. */
async function counted(args: string[], extra: Record<string, string | undefined> = {}) {
  const before = await hfRequests();
  const run = ok(await cli(args, extra));
  return { run, requests: (await hfRequests()) - before };
}

async function commitReadme(repo: string, token: string, text: string): Promise<void> {
  const lines = [
    { key: "header", value: { summary: "upstream change" } },
    {
      key: "file",
      value: { path: "README.md", content: Buffer.from(text).toString("base64"), encoding: "base64" },
    },
  ];
  const res = await fetch(`${pair.hf.url}/api/models/${repo}/commit/main`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson" },
    body: lines.map((l) => JSON.stringify(l)).join("\n"),
  });
  assert.equal(res.status, 200, await res.text());
}

type Answer = Record<string, unknown> & { cache: { hit: boolean } };
const json = (run: CliRun) => JSON.parse(run.stdout) as Answer;
/** An info report's repo details (id, sha, license, private). */
const details = (run: CliRun) => (json(run) as Answer & { details: Record<string, unknown> }).details;

describe("metadata cache", () => {
  it("a repeated info and tree are answered from the cache: no request reaches the hub", async () => {
    const first = await counted(["info", "model", model, "--json"]);
    assert.ok(first.requests > 0);
    assert.equal(json(first.run).cache.hit, false);
    const second = await counted(["info", "model", model, "--json"]);
    assert.equal(second.requests, 0, "the second info asked the hub");
    assert.equal(json(second.run).cache.hit, true);
    const { cache: c1, ...a } = json(first.run);
    const { cache: c2, ...b } = json(second.run);
    assert.deepEqual(b, a, "the cached report differs from the fetched one");
    assert.ok(c2 && "fetchedAt" in c2);
    // tree: its listing and the bytes it sniffs come from the same commit's entries.
    const tree1 = await counted(["tree", model, "--json"]);
    const tree2 = await counted(["tree", model, "--json"]);
    assert.equal(tree2.requests, 0);
    assert.deepEqual({ ...json(tree2.run), cache: null }, { ...json(tree1.run), cache: null });
    // The text form says where the answer came from, on stderr.
    const text = await counted(["info", "model", model]);
    assert.equal(text.requests, 0);
    assert.match(text.run.stderr, /from the metadata cache, fetched \d+ s ago/);
  });

  it("an upstream change is seen after --max-age, never a mix of two commits", async () => {
    const old = details(ok(await cli(["info", "model", model, "--json"]))).sha as string;
    await commitReadme(model, USERS.alice.token, "---\nlicense: apache-2.0\n---\n# changed\n");
    // Within the TTL: the old commit, whole (its license, its listing), from the cache.
    const stale = details(ok(await cli(["info", "model", model, "--json"])));
    assert.equal(stale.sha, old);
    assert.equal(stale.license, "mit");
    const staleTree = json(ok(await cli(["tree", model, "--json"])));
    assert.match(String(staleTree.label), new RegExp(old.slice(0, 12)));
    // --max-age 0 asks the hub: the new commit, and the cache now holds it for the next run.
    const freshRun = ok(await cli(["info", "model", model, "--json", "--max-age", "0"]));
    const fresh = details(freshRun);
    assert.notEqual(fresh.sha, old);
    assert.equal(fresh.license, "apache-2.0");
    assert.equal(json(freshRun).cache.hit, false);
    const after = await counted(["info", "model", model, "--json"]);
    assert.equal(details(after.run).sha, fresh.sha);
    assert.equal(after.requests, 0);
    // A pinned commit is immutable: the old one is still answered from the cache.
    const pinned = await counted(["info", "model", model, "--revision", old, "--json"]);
    assert.equal(details(pinned.run).sha, old);
    assert.equal(details(pinned.run).license, "mit");
    assert.equal(pinned.requests, 0);
  });

  it("a write by hubferry forgets what it changed: the next info shows the new head at once", async () => {
    const before = details(ok(await cli(["info", "model", model, "--json"]))).sha;
    const folder = await tempDir("mc-push");
    await writeFile(join(folder.path, "notes.txt"), "pushed by hubferry\n");
    ok(await cli(["push", "model", folder.path, "--repo", model, "--json"]));
    await folder.cleanup();
    const next = await counted(["info", "model", model, "--json"]);
    assert.notEqual(details(next.run).sha, before, "info showed the head from before the push");
    assert.ok(next.requests > 0);
  });

  it("search answers are kept for a short TTL, and --max-age 0 asks again", async () => {
    const a = await counted(["search", "models", tag, "--json"]);
    assert.ok(a.requests > 0);
    const b = await counted(["search", "models", tag, "--json"]);
    assert.equal(b.requests, 0);
    assert.deepEqual(
      (JSON.parse(b.run.stdout) as { id: string; cache: { hit: boolean } }[]).map((h) => [h.id, h.cache.hit]),
      [[model, true]],
    );
    const c = await counted(["search", "models", tag, "--json", "--max-age", "0"]);
    assert.ok(c.requests > 0);
  });

  it("offline: info, tree and search from the cache with no request; what it lacks is a clear error", async () => {
    for (const args of [
      ["info", "model", model, "--json", "--offline"],
      ["tree", model, "--json", "--offline"],
      ["search", "models", tag, "--json", "--offline"],
    ]) {
      const r = await counted(args);
      assert.equal(r.requests, 0, `${args.join(" ")} asked the hub`);
    }
    const env = await counted(["info", "model", model, "--json"], { HF_HUB_OFFLINE: "1" });
    assert.equal(env.requests, 0);
    const before = await hfRequests();
    const miss = await cli(["info", "model", `alice/${tag}-never`, "--offline"]);
    assert.equal(miss.code, 4, miss.stderr);
    assert.match(miss.stderr, /offline, and hf:alice\/.*-never .* is not in the metadata cache/);
    assert.match(miss.stderr, /drop --offline/);
    const never = await cli(["search", "models", "never-searched", "--offline"]);
    assert.equal(never.code, 4, never.stderr);
    assert.equal(await hfRequests(), before, "an offline miss reached the hub");
  });

  it("one token's view is never another's: bob's private repo is not served to alice offline", async () => {
    ok(await cli(["info", "model", hidden, "--json"], { HF_TOKEN: USERS.bob.token }));
    const asBob = await counted(["info", "model", hidden, "--json", "--offline"], {
      HF_TOKEN: USERS.bob.token,
    });
    assert.equal(details(asBob.run).private, true);
    const asAlice = await cli(["info", "model", hidden, "--json", "--offline"]);
    assert.equal(asAlice.code, 4, asAlice.stdout);
    const online = await cli(["info", "model", hidden, "--json"]);
    assert.equal(online.code, 4, "alice may not see bob's private repo");
    // The token itself is nowhere in the cache: folders are named by a one-way hash.
    const all = await listAll(cache.path);
    for (const f of all) {
      assert.ok(!f.includes(USERS.bob.token) && !f.includes(USERS.alice.token));
      const text = await readFile(f, "latin1");
      assert.ok(!text.includes(USERS.bob.token) && !text.includes(USERS.alice.token), `a token in ${f}`);
    }
  });

  it("a malformed entry is a miss, never an error; cache ls, prune and clear --metadata", async () => {
    const files = (await listAll(cache.path)).filter((f) => f.endsWith("info.json"));
    assert.ok(files.length > 0);
    for (const f of files) await writeFile(f, "{not json");
    const r = await counted(["info", "model", model, "--json", "--revision", "main", "--max-age", "1h"]);
    assert.equal(details(r.run).id, model);
    assert.ok(r.requests > 0, "a malformed entry was used");
    const ls = JSON.parse(ok(await cli(["cache", "ls", "--metadata", "--json"])).stdout) as {
      entries: number;
      bytes: number;
    }[];
    assert.ok(ls.length >= 1 && ls[0]!.entries > 0);
    const total = ls.reduce((n, u) => n + u.bytes, 0);
    const dry = JSON.parse(
      ok(await cli(["cache", "prune", "--metadata", "--max-size", "1KB", "--dry-run", "--json"])).stdout,
    ) as { removed: number; bytesBefore: number };
    assert.equal(dry.bytesBefore, total);
    assert.ok(dry.removed > 0);
    assert.equal((await listAll(cache.path)).length > 0, true, "a dry run removed entries");
    ok(await cli(["cache", "prune", "--metadata", "--max-size", "1KB", "--json"]));
    const after = JSON.parse(ok(await cli(["cache", "ls", "--metadata", "--json"])).stdout) as {
      bytes: number;
    }[];
    assert.ok(after.reduce((n, u) => n + u.bytes, 0) <= 1000);
    ok(await cli(["cache", "clear", "--metadata", "--json"]));
    assert.deepEqual(JSON.parse(ok(await cli(["cache", "ls", "--metadata", "--json"])).stdout), []);
  });

  it("the cache stays within HUBFERRY_METADATA_MAX on its own", async () => {
    ok(await cli(["info", "model", model, "--json"], { HUBFERRY_METADATA_MAX: "2KB" }));
    const files = await listAll(cache.path);
    let bytes = 0;
    for (const f of files) bytes += (await readFile(f)).length;
    assert.ok(bytes <= 2000, `${bytes} bytes cached`);
    const bad = await cli(["--max-age", "soon", "info", "model", model]);
    assert.notEqual(bad.code, 0);
    const badAge = await cli(["info", "model", model, "--max-age", "soon"]);
    assert.equal(badAge.code, 2);
    assert.match(badAge.stderr, /--max-age "soon" is not a duration/);
  });
});

describe("pull and the metadata cache", () => {
  const msRequests = async () =>
    Object.entries(await pair.ms.stats())
      .filter(([route]) => !route.startsWith("admin"))
      .reduce((n, [, c]) => n + c, 0);

  it("a pull asks which commit the branch is at every time, and lists that commit once", async () => {
    const dir = await tempDir("mc-pull");
    const first = await counted(["pull", "model", model, "--cache-dir", dir.path, "--json"]);
    const second = await counted(["pull", "model", model, "--cache-dir", dir.path, "--json"]);
    assert.ok(second.requests >= 1, "the second pull did not ask which commit main is at");
    assert.ok(second.requests < first.requests, `${second.requests} requests, as many as the first pull`);
    await dir.cleanup();
  });

  it("ModelScope offline: a pulled repo is served again with no request; one never pulled is a clear error", async () => {
    const repo = `ms:alice/${tag}-ms`;
    ok(await cli(["migrate", `hf:${model}`, repo, "--yes", "--json"]));
    const dir = await tempDir("mc-ms-pull");
    const online = ok(await cli(["pull", "model", repo, "--cache-dir", dir.path]));
    const before = await msRequests();
    const offline = ok(await cli(["pull", "model", repo, "--cache-dir", dir.path, "--offline"]));
    assert.equal(await msRequests(), before, "an offline pull reached the hub");
    assert.equal(offline.stdout.trim(), online.stdout.trim());
    const other = await tempDir("mc-ms-empty");
    const miss = await cli(["pull", "model", repo, "--cache-dir", other.path, "--offline"]);
    assert.equal(miss.code, 4, miss.stderr);
    assert.match(miss.stderr, /offline/);
    assert.equal(await msRequests(), before);
    await dir.cleanup();
    await other.cleanup();
    // A sync into that repo forgets its cached head too (the sibling of push, through migrate's engine).
    const head = details(ok(await cli(["info", "model", repo, "--json"]))).sha;
    await commitReadme(model, USERS.alice.token, "---\nlicense: mit\n---\n# synced\n");
    ok(await cli(["sync", `hf:${model}`, repo, "--json"]));
    const next = details(ok(await cli(["info", "model", repo, "--json"])));
    assert.notEqual(next.sha, head, "info showed ModelScope's head from before the sync");
  });
});

async function listAll(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listAll(full)));
    else out.push(full);
  }
  return out;
}
