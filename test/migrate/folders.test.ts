import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventsOf } from "../helpers/cli.js";
import {
  type RepoFixture,
  randomName,
  readTree,
  sampleFixture,
  treeDiff,
  writeFixture,
} from "../helpers/fixtures.js";
import { type HubPair, startHubPair, USERS } from "../helpers/local-hub.js";
import { copied, ok, pairCli } from "../helpers/pair-cli.js";
import { type ReadBack, readBack } from "../helpers/read-back.js";

/**
 * A local folder on either side of `migrate` and `sync`: folder -> HF / ModelScope (push's rules:
 * secrets refused, private unless --public) and HF / ModelScope -> folder (a plain tree, every file
 * verified and renamed into place), read back by the official clients or from the disk.
 */
let pair: HubPair;
let back: ReadBack;
before(async () => {
  pair = await startHubPair("folders", ["--multipart-threshold", "2MB", "--multipart-chunk-size", "1MB"]);
  back = readBack({ hf: pair.hf.url, ms: pair.ms.url }, pair.work.path);
});
after(async () => {
  await pair?.stop();
});

const cli = (args: string[]) => pairCli(pair, args);
const folder = (name: string) => join(pair.work.path, `${name}-${randomName("f")}`);
/** What a repo folder holds beside the fixture: the hub's own .gitattributes (HF) and none else. */
const repoFiles = (dir: string) =>
  readTree(dir, (p) => p === ".gitattributes" || p.startsWith(".hubferry-staging"));

describe("a folder into a repo", () => {
  const fixture: RepoFixture = sampleFixture({ seed: 141, multipartBytes: 3 * 1024 * 1024 + 9 });

  it("folder -> HF: private by default, byte-identical, a re-run moves nothing, sync --delete follows the folder", async () => {
    const dir = folder("src");
    await writeFixture(dir, fixture);
    const id = `alice/${randomName("from-folder")}`;
    const dry = ok(await cli(["migrate", dir, `hf:${id}`, "--dry-run"]));
    assert.ok(copied(dry).includes("weights/big.bin"));
    assert.equal((await fetch(`${pair.hf.url}/api/models/${id}`)).status, 401, "the dry run created nothing");
    ok(await cli(["migrate", dir, `hf:${id}`, "--yes"]));
    const info = await fetch(`${pair.hf.url}/api/models/${id}`, {
      headers: { authorization: `Bearer ${USERS.alice.token}` },
    });
    assert.equal(
      ((await info.json()) as { private: boolean }).private,
      true,
      "a folder source makes a private repo",
    );
    await back.assertOnHf(id, "model", fixture);
    assert.deepEqual(copied(ok(await cli(["migrate", dir, `hf:${id}`, "--yes"]))), []);
    await rm(join(dir, "nested/deep/notes.txt"));
    const synced = ok(await cli(["sync", `file://${dir}`, `hf:${id}`, "--delete"]));
    assert.deepEqual((eventsOf(synced, "plan")[0] as { delete: string[] }).delete, ["nested/deep/notes.txt"]);
    const rest = Object.fromEntries(
      Object.entries(fixture.files).filter(([p]) => p !== "nested/deep/notes.txt"),
    );
    await back.assertOnHf(id, "model", { files: rest });
  });

  it("folder -> ModelScope with --public, read back by the modelscope SDK", async () => {
    const dir = folder("src-ms");
    await writeFixture(dir, fixture);
    const id = `alice/${randomName("from-folder-ms")}`;
    ok(await cli(["migrate", dir, `ms:${id}`, "--yes", "--public"]));
    await back.assertOnMs(id, "model", fixture);
  });

  it("folder -> ModelScope: --include, a run cut after its first commit resumes by re-run, sync --delete", async () => {
    const dir = folder("src-ms-cut");
    await writeFixture(dir, fixture);
    const id = `alice/${randomName("from-folder-cut")}`;
    const only = ok(await cli(["migrate", dir, `ms:${id}`, "--yes", "--include", "*.json"]));
    // The filtered folder has no README, so the generated card comes with it (push's rule).
    assert.deepEqual(copied(only).sort(), ["README.md", "config.json"]);
    await pair.ms.fault({ route: "ms.commit", kind: "status", status: 500, skip: 1, times: 50 });
    const args = ["migrate", dir, `ms:${id}`, "--yes", "--batch-files", "2"];
    const cut = await cli(args);
    await pair.ms.clearFaults();
    assert.equal(cut.code, 1, cut.stderr);
    const rest = copied(ok(await cli(args)));
    assert.ok(rest.length > 0 && rest.length <= copied(cut).length - 2, `re-run copied ${rest.join(", ")}`);
    await back.assertOnMs(id, "model", fixture);
    await rm(join(dir, "config.json"));
    const synced = ok(await cli(["sync", dir, `ms:${id}`, "--delete"]));
    assert.deepEqual((eventsOf(synced, "plan")[0] as { delete: string[] }).delete, ["config.json"]);
    const left = Object.fromEntries(Object.entries(fixture.files).filter(([p]) => p !== "config.json"));
    await back.assertOnMs(id, "model", { files: left });
  });

  it("a folder holding a token is refused (exit 5) and nothing is created", async () => {
    const dir = folder("secret");
    await writeFixture(dir, { files: { "config.json": Buffer.from(`{"token": "${USERS.alice.token}"}\n`) } });
    const id = `alice/${randomName("secret")}`;
    const run = await cli(["migrate", dir, `hf:${id}`, "--yes"]);
    assert.equal(run.code, 5, run.stderr);
    assert.match(run.stderr, /possible secret/);
    assert.equal((await fetch(`${pair.hf.url}/api/models/${id}`)).status, 401);
  });
});

describe("a repo into a folder", () => {
  const fixture: RepoFixture = sampleFixture({ seed: 151, multipartBytes: 3 * 1024 * 1024 + 13 });
  const hfId = `alice/${randomName("to-folder")}`;
  const msId = `alice/${randomName("to-folder-ms")}`;
  before(async () => {
    await back.seedHf(hfId, "model", fixture);
    await back.seedMs(msId, "model", fixture);
  });

  for (const hub of ["hf", "ms"] as const) {
    it(`${hub} -> folder: a plain tree, byte-identical; a re-run moves nothing; sync --delete removes strays`, async () => {
      const dir = folder(`out-${hub}`);
      const id = hub === "hf" ? hfId : msId;
      ok(await cli(["migrate", `${hub}:${id}`, dir, "--yes"]));
      assert.deepEqual(treeDiff(fixture.files, await repoFiles(dir)), []);
      assert.equal(existsSync(join(dir, ".hubferry-staging")), false, "no temporary files left");
      assert.deepEqual(copied(ok(await cli(["migrate", `${hub}:${id}`, dir, "--yes"]))), []);
      await writeFile(join(dir, "stray.txt"), "not in the repo\n");
      const kept = ok(await cli(["sync", `${hub}:${id}`, dir]));
      assert.equal((eventsOf(kept, "plan")[0] as { extra: { count: number } }).extra.count, 1);
      ok(await cli(["sync", `${hub}:${id}`, dir, "--delete"]));
      assert.equal(existsSync(join(dir, "stray.txt")), false);
      assert.deepEqual(treeDiff(fixture.files, await repoFiles(dir)), []);
    });
  }

  it("a folder URL of the source copies only that folder (the URL's revision and path are used)", async () => {
    const dir = folder("out-nested");
    // A huggingface.co URL names the repo; HF_ENDPOINT (the local hub) is where it is read.
    ok(await cli(["migrate", `https://huggingface.co/${hfId}/tree/main/nested`, dir, "--yes"]));
    const got = await repoFiles(dir);
    assert.deepEqual(Object.keys(got).sort(), ["nested/deep/notes.txt", "nested/empty.txt"]);
  });

  it("a file whose bytes keep arriving wrong is never in the folder; the re-run finishes it", async () => {
    const dir = folder("out-cut");
    await pair.hf.fault({
      route: "hf.object",
      path: "filename=big\\.bin",
      kind: "corrupt",
      afterBytes: 100_000,
      times: 100,
    });
    const cut = await cli(["migrate", `hf:${hfId}`, dir, "--yes", "--batch-files", "100"]);
    await pair.hf.clearFaults();
    assert.equal(cut.code, 1, cut.stderr);
    assert.match(cut.stderr, /do not match|hash/);
    assert.equal(existsSync(join(dir, "weights/big.bin")), false, "the bad file is not in the folder");
    ok(await cli(["migrate", `hf:${hfId}`, dir, "--yes"]));
    assert.deepEqual(treeDiff(fixture.files, await repoFiles(dir)), []);
  });

  it("refuses what a folder transfer cannot do, with exit 2", async () => {
    const dir = folder("refused");
    for (const [args, message] of [
      [["migrate", dir, folder("other"), "--yes"], /both sides are local folders/],
      [["migrate", `hf:${hfId}`, dir, "--runner", "modal", "--yes"], /cannot reach a folder on this machine/],
      [["migrate", `hf:${hfId}`, dir, "--sandboxes", "2", "--yes"], /--sandboxes is for hub-to-hub runs/],
      [["migrate", dir, "--yes"], /a folder source needs a destination repo/],
    ] as [string[], RegExp][]) {
      const run = await cli(args);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });
});
