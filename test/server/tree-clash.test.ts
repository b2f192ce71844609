import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createRepo, uploadFiles } from "@huggingface/hub";
import { eventsOf, runCli } from "../helpers/cli.js";
import { randomName } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * A file and a folder of one name (`dir` next to `dir/x.txt`) is a tree no client can check out:
 * both faces refuse the commit that would make one, and migrate/pull refuse such a source listing
 * (made here by editing a commit in the store folder, as an older or foreign hub could serve it).
 */
let hub: TestHub;
let work: { path: string; cleanup: () => Promise<void> };
const root = () => join(work.path, "store");
const start = () => startTestHub(["--root", root()]);

before(async () => {
  work = await tempDir("clash");
  hub = await start();
});
after(async () => {
  await hub?.stop();
  await work?.cleanup();
});

const auth = { authorization: `Bearer ${USERS.alice.token}` };
const inline = (path: string, text: string) => ({
  key: "file",
  value: { path, encoding: "base64", content: Buffer.from(text).toString("base64") },
});

async function hfCommit(repo: string, lines: unknown[]): Promise<Response> {
  return fetch(`${hub.url}/api/models/${repo}/commit/main`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/x-ndjson" },
    body: [{ key: "header", value: { summary: "t", description: "" } }, ...lines]
      .map((l) => JSON.stringify(l))
      .join("\n"),
  });
}

async function msCommit(repo: string, paths: string[]): Promise<Response> {
  return fetch(`${hub.url}/api/v1/repos/models/${repo}/commit/master`, {
    method: "POST",
    headers: { authorization: `Bearer ${USERS.alice.msToken}` },
    body: JSON.stringify({
      commit_message: "t",
      actions: paths.map((path) => ({
        action: "create",
        path,
        type: "normal",
        content: Buffer.from(path).toString("base64"),
        encoding: "base64",
      })),
    }),
  });
}

describe("a file and a folder of one name", () => {
  const repo = `alice/${randomName("clash")}`;

  it("HF face: refused in either order and within one commit (400 naming both paths); the official client gets the error", async () => {
    await createRepo({ repo, hubUrl: hub.url, accessToken: USERS.alice.token });
    assert.equal((await hfCommit(repo, [inline("dir/x.txt", "x")])).status, 200);
    const later = await hfCommit(repo, [inline("dir", "file")]);
    assert.equal(later.status, 400);
    assert.match(
      ((await later.json()) as { error: string }).error,
      /"dir" would be both a file and a folder \(it holds "dir\/x.txt"\)/,
    );
    assert.equal((await hfCommit(repo, [inline("file", "f")])).status, 200);
    const reverse = await hfCommit(repo, [inline("file/y.txt", "y")]);
    assert.equal(reverse.status, 400);
    assert.match(((await reverse.json()) as { error: string }).error, /"file".*"file\/y.txt"/);
    await assert.rejects(
      uploadFiles({
        repo,
        hubUrl: hub.url,
        accessToken: USERS.alice.token,
        useXet: false,
        files: [
          { path: "both", content: new Blob(["a"]) },
          { path: "both/inner.txt", content: new Blob(["b"]) },
        ],
      }),
      /"both" would be both a file and a folder/,
    );
    // Replacing the file by a folder in one commit is fine: the file is deleted first.
    const swap = await hfCommit(repo, [
      { key: "deletedFile", value: { path: "file" } },
      inline("file/y.txt", "y"),
    ]);
    assert.equal(swap.status, 200, await swap.text());
  });

  it("ModelScope face: refused the same way", async () => {
    const ms = `alice/${randomName("clash-ms")}`;
    const created = await fetch(`${hub.url}/api/v1/models`, {
      method: "POST",
      headers: { authorization: `Bearer ${USERS.alice.msToken}` },
      body: JSON.stringify({ Path: "alice", Name: ms.split("/")[1], Visibility: 5, License: "MIT" }),
    });
    assert.equal(created.status, 200);
    const one = await msCommit(ms, ["a/b.txt", "a"]);
    assert.equal(one.status, 400);
    assert.match(
      ((await one.json()) as { Message: string }).Message,
      /"a" would be both a file and a folder \(it holds "a\/b.txt"\)/,
    );
    assert.equal((await msCommit(ms, ["a/b.txt"])).status, 200);
    assert.equal((await msCommit(ms, ["a"])).status, 400);
  });

  it("migrate and pull refuse a source listing that has both, naming the paths, and copy the rest", async () => {
    const src = `alice/${randomName("clash-src")}`;
    await createRepo({ repo: src, hubUrl: hub.url, accessToken: USERS.alice.token });
    assert.equal(
      (await hfCommit(src, [inline("dir/x.txt", "x"), inline("dirfile", "f"), inline("ok.txt", "ok")]))
        .status,
      200,
    );
    // The fixture: rename `dirfile` to `dir` in the head commit, with the hub stopped.
    await hub.stop();
    const repoDir = join(root(), "repos", "hf", "models", src);
    const meta = JSON.parse(await readFile(join(repoDir, "repo.json"), "utf8")) as {
      branches: Record<string, string>;
    };
    const commitFile = join(repoDir, "commits", `${meta.branches.main}.json`);
    const commit = JSON.parse(await readFile(commitFile, "utf8")) as { files: Record<string, unknown> };
    commit.files.dir = commit.files.dirfile;
    delete commit.files.dirfile;
    await writeFile(commitFile, JSON.stringify(commit));
    hub = await start();

    const env = {
      HOME: join(work.path, "home"),
      HF_HOME: join(work.path, "hf-home"),
      HF_ENDPOINT: hub.url,
      MODELSCOPE_ENDPOINT: hub.url,
      HF_TOKEN: USERS.alice.token,
      MODELSCOPE_API_TOKEN: USERS.alice.msToken,
    };
    const reason = /"dir" is both a file and a folder \(it holds "dir\/x.txt"\)/;
    const dest = `alice/${randomName("clash-dst")}`;
    const migrated = await runCli(["migrate", `hf:${src}`, `ms:${dest}`, "--yes", "--json"], env);
    assert.equal(migrated.code, 0, migrated.stderr);
    const [plan] = eventsOf(migrated, "plan") as { refused: { path: string; reason: string }[] }[];
    assert.deepEqual(plan!.refused.map((r) => r.path).sort(), ["dir", "dir/x.txt"]);
    for (const r of plan!.refused) assert.match(r.reason, reason);
    const files = await fetch(`${hub.url}/api/v1/models/${dest}/repo/files?Recursive=true`, {
      headers: { authorization: `Bearer ${USERS.alice.msToken}` },
    });
    const listed = JSON.stringify(await files.json());
    assert.ok(listed.includes("ok.txt") && !listed.includes("x.txt"), listed);

    const out = join(work.path, "pulled");
    const pulled = await runCli(
      ["pull", "model", `hf:${src}`, "--include", "**", "--output", out, "--json"],
      env,
    );
    assert.equal(pulled.code, 0, pulled.stderr);
    const [pplan] = eventsOf(pulled, "plan") as { refused: { path: string; reason: string }[] }[];
    assert.deepEqual(pplan!.refused.map((r) => r.path).sort(), ["dir", "dir/x.txt"]);
    for (const r of pplan!.refused) assert.match(r.reason, reason);
    assert.equal(await readFile(join(out, "ok.txt"), "utf8"), "ok");
    assert.ok(!existsSync(join(out, "dir")), "neither the file nor the folder was written");
  });
});
