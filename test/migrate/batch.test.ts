import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventsOf, runCli } from "../helpers/cli.js";
import { randomName } from "../helpers/fixtures.js";
import { type HubPair, ORG, startHubPair, type TestHub, USERS } from "../helpers/local-hub.js";

/** Batch: a whole org, bounded parallelism, one bad repo that does not stop the others. */
let pair: HubPair;
let hf: TestHub;
let ms: TestHub;
let work: HubPair["work"];
before(async () => {
  pair = await startHubPair("batch");
  ({ hf, ms, work } = pair);
});
after(async () => {
  await pair?.stop();
});

const auth = { authorization: `Bearer ${USERS.alice.token}` };
const env = () => pair.env();

/** Creates a small repo on the HF hub through its API (a README and a data file). */
async function seed(type: "model" | "dataset" | "space", name: string): Promise<void> {
  const create = await fetch(`${hf.url}/api/repos/create`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ name, organization: ORG, type, ...(type === "space" ? { sdk: "static" } : {}) }),
  });
  assert.equal(create.status, 200, await create.text());
  const file = (path: string, text: string) =>
    JSON.stringify({
      key: "file",
      value: { path, encoding: "base64", content: Buffer.from(text).toString("base64") },
    });
  const body = [
    JSON.stringify({ key: "header", value: { summary: "seed" } }),
    file("README.md", `# ${name}\n`),
    file("data/values.txt", `${name}\n`.repeat(50)),
  ].join("\n");
  const commit = await fetch(`${hf.url}/api/${type}s/${ORG}/${name}/commit/main`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/x-ndjson" },
    body,
  });
  assert.equal(commit.status, 200, await commit.text());
}

interface Row {
  source: string;
  destination: string;
  status: string;
  error?: { code: string };
}

describe("batch: hubferry migrate hf:SomeOrg ms:OtherOrg", () => {
  const tag = randomName("b");
  const names = {
    models: [`${tag}-m1`, `${tag}-m2`, `${tag}-broken`],
    dataset: `${tag}-d1`,
    space: `${tag}-s1`,
  };
  before(async () => {
    for (const m of names.models) await seed("model", m);
    await seed("dataset", names.dataset);
    await seed("space", names.space);
  });

  it("migrates every repo of the org; one unreadable repo fails alone, with why, and exit 1", async () => {
    await hf.fault({
      route: "hf.tree",
      path: `${names.models[2]}`,
      kind: "status",
      status: 403,
      times: 1000,
    });
    const run = await runCli(
      ["migrate", `hf:${ORG}`, `ms:${ORG}`, "--yes", "--json", "--jobs", "2", "--include", `${tag}-*`],
      env(),
    );
    await hf.clearFaults();
    assert.equal(run.code, 1, run.stderr);
    const rows = (eventsOf(run, "batch")[0] as { repos: Row[] }).repos;
    assert.equal(rows.length, 5);
    const byName = Object.fromEntries(rows.map((r) => [r.source, r]));
    assert.equal(byName[`hf:${ORG}/${names.models[2]}`]!.status, "failed");
    assert.equal(byName[`hf:${ORG}/${names.models[2]}`]!.error!.code, "FORBIDDEN");
    for (const r of rows.filter((x) => !x.source.includes("broken")))
      assert.equal(r.status, "done", JSON.stringify(r));
    assert.equal(byName[`hf:spaces/${ORG}/${names.space}`]!.destination, `ms:${ORG}/${names.space}`);
    assert.equal(
      byName[`hf:datasets/${ORG}/${names.dataset}`]!.destination,
      `ms:datasets/${ORG}/${names.dataset}`,
    );
    for (const e of run.events.filter((x) => x.event === "summary"))
      assert.ok(e.repo, "events carry their repo");
  });

  it("a re-run finishes only what is missing: the others are already up to date", async () => {
    const run = await runCli(
      ["migrate", `hf:${ORG}`, `ms:${ORG}`, "--yes", "--json", "--include", `${tag}-*`],
      env(),
    );
    assert.equal(run.code, 0, run.stderr);
    const rows = (eventsOf(run, "batch")[0] as { repos: Row[] }).repos;
    const statuses = Object.fromEntries(rows.map((r) => [r.source.split("/").pop(), r.status]));
    assert.equal(statuses[names.models[2]!], "done");
    for (const n of [names.models[0]!, names.models[1]!, names.dataset, names.space])
      assert.equal(statuses[n], "up-to-date", n);
  });

  it("a --list file with one bad line is exit 2 naming FILE:LINE, before any repo moves", async () => {
    const list = join(work.path, "bad-list.txt");
    await writeFile(list, `# ok\nhf:${ORG}/${names.models[0]}\n\nnot a repo id at all\n`);
    const run = await runCli(["migrate", "--list", list, "--dest", `ms:${ORG}`, "--yes"], env());
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`${list.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:4: `));
    assert.doesNotMatch(run.stdout, /repo\(s\):/);
  });

  it("--list FILE, --repo-type and --exclude narrow the batch; a human run prints the table", async () => {
    const list = join(work.path, "list.txt");
    await writeFile(
      list,
      `# models to mirror\nhf:${ORG}/${names.models[0]}\nhttps://huggingface.co/${ORG}/${names.models[1]}\n`,
    );
    const run = await runCli(
      ["migrate", "--list", list, "--dest", `ms:${ORG}`, "--yes", "--exclude", names.models[1]!],
      env(),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`hf:${ORG}/${names.models[0]}\\s+up-to-date`));
    assert.doesNotMatch(run.stdout, new RegExp(names.models[1]!));
    assert.match(run.stdout, /1 repo\(s\): 1 ok, 0 failed/);
    const typed = await runCli(
      ["migrate", `hf:${ORG}`, "--repo-type", "dataset", "--dry-run", "--json", "--include", `${tag}-*`],
      env(),
    );
    const rows = (eventsOf(typed, "batch")[0] as { repos: Row[] }).repos;
    assert.deepEqual(
      rows.map((r) => r.source),
      [`hf:datasets/${ORG}/${names.dataset}`],
    );
  });

  it("a batch without --yes (or --dry-run) is refused", async () => {
    const run = await runCli(["migrate", `hf:${ORG}`], env());
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--dry-run first, then pass --yes/);
  });
});
