import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { randomName } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { runPython } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * Commits as the official huggingface_hub makes them (test/interop/python/hf_commit.py), over real
 * HTTP to `hubferry serve`: folder deletes, pull requests (from a base commit, by non-owners) and
 * the bounds of the NDJSON commit body.
 */
let hub: TestHub;
let work: { path: string; cleanup: () => Promise<void> };

type Result = {
  ok: boolean;
  value?: unknown;
  error?: string;
  status?: number;
  message?: string;
  server_message?: string;
  mro?: string[];
  trace?: string;
};

type Op =
  | { op: "add"; path: string; text: string }
  | { op: "add"; path: string; size: number; seed?: number }
  | { op: "delete"; path: string; is_folder?: boolean | "auto" };

function env(token: string | null): Record<string, string> {
  const e: Record<string, string> = {
    HF_ENDPOINT: hub.url,
    HF_HOME: join(work.path, "home"),
    HF_HUB_DISABLE_XET: "1",
    HF_HUB_DISABLE_UPDATE_CHECK: "1",
    HF_HUB_DISABLE_TELEMETRY: "1",
    HF_HUB_DISABLE_PROGRESS_BARS: "1",
  };
  if (token) e.HF_TOKEN = token;
  return e;
}

async function call(name: string, kwargs: Record<string, unknown>, token: string | null): Promise<Result> {
  return runPython<Result>("hf", "hf_commit.py", { call: name, kwargs }, env(token));
}

async function value<T = unknown>(
  name: string,
  kwargs: Record<string, unknown>,
  token: string | null = USERS.alice.token,
): Promise<T> {
  const r = await call(name, kwargs, token);
  assert.equal(r.ok, true, `${name} failed: ${r.error}: ${r.message}\n${r.trace}`);
  return r.value as T;
}

async function failure(
  name: string,
  kwargs: Record<string, unknown>,
  token: string | null = USERS.alice.token,
): Promise<Result> {
  const r = await call(name, kwargs, token);
  assert.equal(r.ok, false, `${name} should have failed: ${JSON.stringify(r.value)}`);
  return r;
}

type CommitInfo = { oid: string; pr_num: number | null; pr_revision: string | null };

function commit(repo_id: string, operations: Op[], extra: Record<string, unknown> = {}, token?: string) {
  return value<CommitInfo>(
    "create_commit",
    { repo_id, operations, commit_message: "test commit", ...extra },
    token ?? USERS.alice.token,
  );
}

async function files(repo_id: string, revision?: string): Promise<string[]> {
  return (await value<string[]>("list_repo_files", { repo_id, revision })).sort();
}

async function newRepo(prefix: string, ops: Op[], extra: Record<string, unknown> = {}): Promise<string> {
  const name = randomName(prefix);
  const res = await fetch(`${hub.url}/api/repos/create`, {
    method: "POST",
    headers: { authorization: `Bearer ${USERS.alice.token}`, "content-type": "application/json" },
    body: JSON.stringify({ name, ...extra }),
  });
  assert.equal(res.status, 200, await res.text());
  const id = `alice/${name}`;
  if (ops.length) await commit(id, ops);
  return id;
}

before(async () => {
  hub = await startTestHub();
  work = await tempDir("hfcommit");
});

after(async () => {
  await hub?.stop();
  await work?.cleanup();
});

const TREE: Op[] = [
  { op: "add", path: "top.txt", text: "top" },
  { op: "add", path: "dir/a.txt", text: "a" },
  { op: "add", path: "dir/sub/b.txt", text: "b" },
  { op: "add", path: "dir/sub/deep/c.bin", size: 3000, seed: 7 },
  { op: "add", path: "dir2/x", text: "x" },
  { op: "add", path: "dirx", text: "dirx" },
];

describe("deleting a folder by its name", () => {
  it("delete_folder on a nested folder removes every file under it and nothing else", async () => {
    const repo = await newRepo("delfolder", TREE);
    await value("delete_folder", { repo_id: repo, path_in_repo: "dir/sub" });
    assert.deepEqual(await files(repo), [".gitattributes", "dir/a.txt", "dir2/x", "dirx", "top.txt"]);
    await value("delete_folder", { repo_id: repo, path_in_repo: "dir" });
    assert.deepEqual(await files(repo), [".gitattributes", "dir2/x", "dirx", "top.txt"]);
  });

  it("delete_file on a folder's name (sent as deletedFile) deletes the folder, as the real hub does", async () => {
    const repo = await newRepo("delfile", TREE);
    await value("delete_file", { repo_id: repo, path_in_repo: "dir" });
    assert.deepEqual(await files(repo), [".gitattributes", "dir2/x", "dirx", "top.txt"]);
    // CommitOperationDelete with is_folder "auto": "dir2/" is a folder delete, "dirx" a file delete.
    await commit(repo, [
      { op: "delete", path: "dir2/" },
      { op: "delete", path: "dirx" },
    ]);
    assert.deepEqual(await files(repo), [".gitattributes", "top.txt"]);
  });

  it("a missing folder or file is EntryNotFound, and nothing is committed", async () => {
    const repo = await newRepo("delmissing", TREE);
    const before = await files(repo);
    for (const [name, kwargs] of [
      ["delete_folder", { path_in_repo: "nope" }],
      ["delete_folder", { path_in_repo: "di" }],
      ["delete_file", { path_in_repo: "dir/nope.txt" }],
      ["delete_folder", { path_in_repo: "top.txt" }],
    ] as const) {
      const r = await failure(name, { repo_id: repo, ...kwargs });
      assert.ok(r.mro?.includes("EntryNotFoundError"), `${name} ${kwargs.path_in_repo}: ${r.message}`);
      assert.equal(r.status, 404);
      assert.match(r.server_message ?? "", new RegExp(`"${kwargs.path_in_repo}" does not exist`));
    }
    assert.deepEqual(await files(repo), before);
  });
});
