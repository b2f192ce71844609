import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type CliRun, eventsOf, runCli } from "../helpers/cli.js";
import { pseudoRandom, randomName, sha256 } from "../helpers/fixtures.js";
import { type HubPair, ORG, startHubPair, USERS } from "../helpers/local-hub.js";
import { seedHf } from "../helpers/seed.js";

/**
 * What a run says, through the real CLI without a terminal: the product (plan, summary) on
 * stdout and the rest on stderr, bytes counted only when sent, totals instead of a line per
 * file, a no-op in one line, one length for commit ids, no listener warnings in a batch.
 */
let pair: HubPair;
before(async () => {
  pair = await startHubPair("output", ["--lfs-threshold", "1MB"]);
});
after(async () => {
  await pair?.stop();
});

const auth = { authorization: `Bearer ${USERS.alice.token}` };

async function cli(args: string[]): Promise<CliRun> {
  const run = await runCli(args, pair.env(), { timeoutMs: 120_000 });
  assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}${run.stdout.slice(-1500)}`);
  return run;
}

/** A commit on the HF hub through its NDJSON API: inline files and LFS pointers. */
async function hfCommit(
  repo: string,
  inline: Record<string, string>,
  lfs: { path: string; oid: string; size: number }[] = [],
  create = true,
): Promise<void> {
  const [owner, name] = repo.split("/") as [string, string];
  if (create) {
    const res = await fetch(`${pair.hf.url}/api/repos/create`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name, ...(owner === ORG ? { organization: ORG } : {}), type: "model" }),
    });
    assert.equal(res.status, 200, await res.text());
  }
  const lines = [
    JSON.stringify({ key: "header", value: { summary: "seed" } }),
    ...Object.entries(inline).map(([path, text]) =>
      JSON.stringify({
        key: "file",
        value: { path, encoding: "base64", content: Buffer.from(text).toString("base64") },
      }),
    ),
    ...lfs.map((f) => JSON.stringify({ key: "lfsFile", value: { ...f, algo: "sha256" } })),
  ];
  const res = await fetch(`${pair.hf.url}/api/models/${repo}/commit/main`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/x-ndjson" },
    body: lines.join("\n"),
  });
  assert.equal(res.status, 200, await res.text());
}

/** Hex runs that look like commit ids (the random suffixes of repo names left out). */
const hexRuns = (text: string, names: string[]) =>
  names.reduce((t, n) => t.replaceAll(n, ""), text).match(/\b[0-9a-f]{7,}\b/g) ?? [];

describe("output conventions", () => {
  const big = pseudoRandom(2 * 1024 * 1024, 91);
  const id = `alice/${randomName("out")}`;
  const dest = `alice/${randomName("out-ms")}`;
  before(async () => {
    await seedHf(
      pair.hf.url,
      USERS.alice.token,
      { type: "model", name: id },
      {
        "README.md": Buffer.from("# out\n"),
        "data/big.zip": big,
      },
    );
  });

  it("--dry-run > plan.txt: the plan is on stdout, none of it on stderr; commit ids at one length", async () => {
    const run = await cli(["migrate", `hf:${id}`, `ms:${dest}`, "--dry-run"]);
    assert.match(run.stdout, /^source: .*\nto copy: +\d+ file\(s\)/ms);
    assert.match(run.stdout, /\+ data\/big\.zip/);
    assert.doesNotMatch(run.stderr, /source:|to copy:|data\/big\.zip/);
    assert.match(run.stderr, /dry run: nothing was written/);
    const ids = hexRuns(run.stdout, [id, dest]);
    assert.ok(ids.length > 0 && ids.every((h) => h.length === 12), `one length for ids: ${ids.join(" ")}`);
  });

  it("a run says its summary on stdout; a re-run with nothing to do is one line, and sends 0 bytes", async () => {
    const first = await cli(["migrate", `hf:${id}`, `ms:${dest}`, "--yes"]);
    assert.match(first.stdout, /done: \d+ file\(s\) written/);
    assert.doesNotMatch(first.stderr, /done:/);
    const again = await cli(["migrate", `hf:${id}`, `ms:${dest}`, "--yes"]);
    const lines = `${again.stdout}${again.stderr}`.trim().split("\n");
    assert.equal(lines.length, 1, `one line: ${lines.join("\n")}`);
    assert.match(again.stdout, /already in sync with hf:.* @ [0-9a-f]{12}: nothing to do/);
    const json = await cli(["migrate", `hf:${id}`, `ms:${dest}`, "--yes", "--json"]);
    const [summary] = eventsOf(json, "summary");
    assert.equal(summary?.bytes, 0);
    assert.equal(summary?.bytesPerSecond, 0);
    assert.equal(summary?.files, 0);
    assert.ok((summary?.skipped as number) >= 2, JSON.stringify(summary));
  });

  it("objects the destination already stores are counted apart from bytes sent", async () => {
    // A second path with the same bytes: committed on the destination, but nothing to send.
    await hfCommit(
      id,
      { "notes.txt": "more\n" },
      [{ path: "copy/big.zip", oid: sha256(big), size: big.length }],
      false,
    );
    const run = await cli(["migrate", `hf:${id}`, `ms:${dest}`, "--yes", "--json"]);
    const [summary] = eventsOf(run, "summary");
    assert.equal(summary?.files, 2, JSON.stringify(summary));
    assert.equal(summary?.stored, 1, JSON.stringify(summary));
    assert.equal(summary?.storedBytes, big.length);
    assert.equal(summary?.bytes, 5, "only notes.txt was sent");
  });

  it("info says the commit at the same length", async () => {
    const run = await cli(["info", "model", `hf:${id}`]);
    const ids = hexRuns(run.stdout, [id, dest]);
    assert.ok(ids.length > 0 && ids.every((h) => h.length === 12), `one length for ids: ${ids.join(" ")}`);
  });

  it("without a terminal, 1,000 files print totals, not a line per file", async () => {
    const many = `alice/${randomName("many")}`;
    const files: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) files[`f/${String(i).padStart(4, "0")}.txt`] = `${i}\n`;
    await hfCommit(many, files);
    const run = await cli(["migrate", `hf:${many}`, `ms:alice/${randomName("many-ms")}`, "--yes"]);
    const lines = run.stderr.trim().split("\n");
    assert.ok(lines.length < 50, `stderr has ${lines.length} lines:\n${lines.slice(0, 30).join("\n")}`);
    assert.match(run.stdout, /done: 1001 file\(s\) written/);
  });

  it("a batch with --jobs 3 adds no listener per request to the shared abort signal", async () => {
    const tag = randomName("jobs");
    for (let i = 0; i < 5; i++) {
      const files: Record<string, string> = {};
      for (let j = 0; j < 30; j++) files[`d/${j}.txt`] = `${tag} ${i} ${j}\n`;
      await hfCommit(`${ORG}/${tag}-${i}`, files);
    }
    const run = await cli([
      "migrate",
      `hf:${ORG}`,
      `ms:${ORG}`,
      "--yes",
      "--jobs",
      "3",
      "--include",
      `${tag}-*`,
    ]);
    assert.match(run.stdout, /5 repo\(s\): 5 ok, 0 failed/);
    assert.doesNotMatch(run.stderr, /MaxListenersExceededWarning/);
  });
});
