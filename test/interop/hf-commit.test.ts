import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { randomName } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { hfClientEnv, runPython } from "../helpers/python.js";
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
  return hfClientEnv(hub.url, join(work.path, "home"), token);
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

type Refs = {
  branches: { ref: string; target_commit: string }[];
  pull_requests: { ref: string; target_commit: string }[] | null;
};

async function prRefs(repo_id: string): Promise<Record<string, string>> {
  const refs = await value<Refs>("list_repo_refs", { repo_id, include_pull_requests: true });
  return Object.fromEntries((refs.pull_requests ?? []).map((r) => [r.ref, r.target_commit]));
}

function read(repo_id: string, filename: string, revision?: string, token = USERS.alice.token) {
  return value<string>("read_file", { repo_id, filename, revision }, token);
}

describe("pull requests from a base commit", () => {
  it("create_pr with parent_commit (full or short) opens refs/pr/N on that commit, plus the change", async () => {
    const repo = await newRepo("prbase", [{ op: "add", path: "a.txt", text: "v1" }]);
    const base = (await commit(repo, [{ op: "add", path: "a.txt", text: "v1 again" }])).oid;
    const head = (await commit(repo, [{ op: "add", path: "a.txt", text: "v2" }])).oid;
    for (const [n, parent] of [
      [1, base],
      [2, base.slice(0, 7)],
    ] as const) {
      const pr = await commit(repo, [{ op: "add", path: `pr${n}.txt`, text: `pr ${n}` }], {
        create_pr: true,
        parent_commit: parent,
      });
      assert.equal(pr.pr_revision, `refs/pr/${n}`);
      assert.equal((await prRefs(repo))[`refs/pr/${n}`], pr.oid);
      const history = await value<{ commit_id: string }[]>("list_repo_commits", {
        repo_id: repo,
        revision: `refs/pr/${n}`,
      });
      assert.equal(history[1]?.commit_id, base, "the PR's commit sits on the base commit");
      assert.equal(await read(repo, "a.txt", `refs/pr/${n}`), "v1 again");
      assert.equal(await read(repo, `pr${n}.txt`, `refs/pr/${n}`), `pr ${n}`);
    }
    // main did not move
    const refs = await value<Refs>("list_repo_refs", { repo_id: repo });
    assert.equal(refs.branches.find((b) => b.ref === "refs/heads/main")?.target_commit, head);
  });

  it("create_pr on a commit id, a tag or a missing branch is RevisionNotFound, as on the real hub", async () => {
    const repo = await newRepo("prrev", [{ op: "add", path: "a.txt", text: "v1" }]);
    const head = (await commit(repo, [{ op: "add", path: "a.txt", text: "v2" }])).oid;
    await value("create_tag", { repo_id: repo, tag: "v1" });
    for (const revision of [head, head.slice(0, 7), "v1", "missing-branch"]) {
      const r = await failure("create_commit", {
        repo_id: repo,
        operations: [{ op: "add", path: "b.txt", text: "b" }],
        commit_message: "pr",
        create_pr: true,
        revision,
      });
      assert.ok(r.mro?.includes("RevisionNotFoundError"), `${revision}: ${r.error} ${r.message}`);
    }
    const missingParent = await failure("create_commit", {
      repo_id: repo,
      operations: [{ op: "add", path: "b.txt", text: "b" }],
      commit_message: "pr",
      create_pr: true,
      parent_commit: "0123456789abcdef0123456789abcdef01234567",
    });
    assert.ok(missingParent.mro?.includes("RevisionNotFoundError"), missingParent.message);
    assert.deepEqual(await prRefs(repo), {});
  });
});

describe("pull requests by someone who does not own the repo", () => {
  it("bob opens a PR on alice's public repo (inline and LFS files) and pushes to it, never to main", async () => {
    const repo = await newRepo("foreign", [{ op: "add", path: "a.txt", text: "alice" }]);
    const main = (await value<Refs>("list_repo_refs", { repo_id: repo })).branches[0]!.target_commit;
    const pr = await commit(
      repo,
      [
        { op: "add", path: "regular.txt", text: "from bob" },
        { op: "add", path: "weights.bin", size: 5000, seed: 3 },
      ],
      { create_pr: true },
      USERS.bob.token,
    );
    assert.equal(pr.pr_revision, "refs/pr/1");
    assert.equal(await read(repo, "regular.txt", "refs/pr/1"), "from bob");
    const more = await commit(
      repo,
      [{ op: "add", path: "more.txt", text: "more" }],
      { revision: "refs/pr/1" },
      USERS.bob.token,
    );
    assert.equal((await prRefs(repo))["refs/pr/1"], more.oid);
    const info = await value<{ siblings: { rfilename: string; lfs: unknown }[] }>("model_info", {
      repo_id: repo,
      revision: "refs/pr/1",
      files_metadata: true,
    });
    assert.ok(info.siblings.find((s) => s.rfilename === "weights.bin")?.lfs, "weights.bin went through LFS");

    // Branches stay alice's: 403 for inline and LFS commits, before and after a PR exists.
    for (const ops of [
      [{ op: "add", path: "b.txt", text: "b" }],
      [{ op: "add", path: "w2.bin", size: 4000, seed: 4 }],
      [{ op: "delete", path: "a.txt" }],
    ] as Op[][]) {
      const r = await failure(
        "create_commit",
        { repo_id: repo, operations: ops, commit_message: "x" },
        USERS.bob.token,
      );
      assert.equal(r.status, 403, `${r.error}: ${r.message}`);
    }
    // alice's own PR is hers to push to.
    await commit(repo, [{ op: "add", path: "alice.txt", text: "a" }], { create_pr: true });
    const other = await failure(
      "create_commit",
      {
        repo_id: repo,
        operations: [{ op: "add", path: "c.txt", text: "c" }],
        commit_message: "x",
        revision: "refs/pr/2",
      },
      USERS.bob.token,
    );
    assert.equal(other.status, 403, other.message);
    const refs = await value<Refs>("list_repo_refs", { repo_id: repo });
    assert.equal(refs.branches.find((b) => b.ref === "refs/heads/main")?.target_commit, main);
  });

  it("a read-role token cannot open a PR; a private repo of another user stays RepoNotFound", async () => {
    const repo = await newRepo("foreignro", [{ op: "add", path: "a.txt", text: "alice" }]);
    for (const ops of [
      [{ op: "add", path: "b.txt", text: "b" }],
      [{ op: "add", path: "w.bin", size: 4000 }],
    ] as Op[][]) {
      const r = await failure(
        "create_commit",
        { repo_id: repo, operations: ops, commit_message: "x", create_pr: true },
        USERS.reader.token,
      );
      assert.equal(r.status, 403, `${r.error}: ${r.message}`);
    }
    assert.deepEqual(await prRefs(repo), {});

    const hidden = await newRepo("foreignpriv", [{ op: "add", path: "a.txt", text: "alice" }], {
      private: true,
    });
    const r = await failure(
      "create_commit",
      {
        repo_id: hidden,
        operations: [{ op: "add", path: "b.txt", text: "b" }],
        commit_message: "x",
        create_pr: true,
      },
      USERS.bob.token,
    );
    assert.equal(r.status, 404);
    assert.ok(r.mro?.includes("RepositoryNotFoundError"), `${r.error}: ${r.message}`);
    assert.deepEqual(await prRefs(hidden), {});

    // A gated repo's files are for those granted access, and a pull request would reach them.
    const gated = await newRepo("foreigngated", [{ op: "add", path: "a.txt", text: "alice" }]);
    const set = await fetch(`${hub.url}/api/models/${gated}/settings`, {
      method: "PUT",
      headers: { authorization: `Bearer ${USERS.alice.token}`, "content-type": "application/json" },
      body: JSON.stringify({ gated: "auto" }),
    });
    assert.equal(set.status, 200, await set.text());
    const g = await failure(
      "create_commit",
      {
        repo_id: gated,
        operations: [{ op: "add", path: "b.txt", text: "b" }],
        commit_message: "x",
        create_pr: true,
      },
      USERS.bob.token,
    );
    assert.ok(g.mro?.includes("GatedRepoError"), `${g.error}: ${g.message}`);
    assert.deepEqual(await prRefs(gated), {});
  });
});

describe("the NDJSON commit body is bounded", () => {
  const header = `${JSON.stringify({ key: "header", value: { summary: "big", description: "" } })}\n`;
  const fileLine = (path: string, content: string) =>
    `${JSON.stringify({ key: "file", value: { path, content, encoding: "base64" } })}\n`;

  function post(repo: string, body: RequestInit["body"], extra: RequestInit = {}): Promise<Response> {
    return fetch(`${hub.url}/api/models/${repo}/commit/main`, {
      method: "POST",
      headers: { authorization: `Bearer ${USERS.alice.token}`, "content-type": "application/x-ndjson" },
      body,
      ...extra,
    });
  }

  async function assertRefusedLine(res: Response): Promise<void> {
    assert.equal(res.status, 413);
    const body = (await res.json()) as { error: string };
    assert.match(body.error, /longer than .*\(\d+ bytes\), the most one file sent inline can take/);
    assert.match(body.error, /through LFS/);
  }

  it("an over-long line is 413 naming the limit and LFS, nothing is committed, and the hub keeps serving", async () => {
    const repo = await newRepo("bigline", [{ op: "add", path: "a.txt", text: "a" }]);
    const before = await files(repo);
    // 15 MB of base64 on one line: more than any file preupload lets go inline (under 10 MiB).
    await assertRefusedLine(await post(repo, header + fileLine("big.txt", "A".repeat(15_000_000))));

    // Streamed without a length (chunked), an endless line is cut at the cap, never held whole.
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(Buffer.from(`${header}{"key":"file","value":{"path":"x","content":"`));
      },
      pull(c) {
        if (sent >= 40_000_000) return c.close();
        sent += 1 << 20;
        c.enqueue(Buffer.alloc(1 << 20, 0x41));
      },
    });
    await assertRefusedLine(await post(repo, endless, { duplex: "half" } as RequestInit));

    assert.deepEqual(await files(repo), before);
    const ok = await post(repo, header + fileLine("small.txt", Buffer.from("small").toString("base64")));
    assert.equal(ok.status, 200, await ok.text());
    assert.deepEqual(await files(repo), [...before, "small.txt"].sort());
  });

  it("a body declared larger than a commit may carry is refused before it is read", async () => {
    const repo = await newRepo("bigbody", []);
    const { request } = await import("node:http");
    const url = new URL(`${hub.url}/api/models/${repo}/commit/main`);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${USERS.alice.token}`,
          "content-type": "application/x-ndjson",
          "content-length": String(4 * 1024 ** 3),
        },
      });
      req.on("response", (r) => {
        let body = "";
        r.on("data", (d) => {
          body += d;
        });
        r.on("end", () => {
          resolve({ status: r.statusCode ?? 0, body });
          req.destroy();
        });
      });
      req.on("error", reject);
      req.write(header);
    });
    assert.equal(res.status, 413);
    assert.match(res.body, /larger than .*, the most one commit may carry: send big files through LFS/);
  });

  it("upload_folder with files just under the LFS threshold (inline), over it and binary (LFS) still works", async () => {
    const repo = await newRepo("mixed", []);
    const dir = join(work.path, "mixed");
    const { mkdir, writeFile } = await import("node:fs/promises");
    await mkdir(join(dir, "sub"), { recursive: true });
    const nearly = Buffer.alloc(10 * 1024 * 1024 - 1, "abcdefghij\n");
    await writeFile(join(dir, "nearly-threshold.txt"), nearly);
    await writeFile(join(dir, "over-threshold.txt"), Buffer.alloc(11 * 1024 * 1024, "0123456789\n"));
    await writeFile(join(dir, "sub", "small.txt"), "small\n");
    await writeFile(join(dir, "sub", "pic.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]));
    await value("upload_folder", { repo_id: repo, folder_path: dir, commit_message: "mixed" });
    const info = await value<{ siblings: { rfilename: string; size: number; lfs: unknown }[] }>(
      "model_info",
      {
        repo_id: repo,
        files_metadata: true,
      },
    );
    const kind = Object.fromEntries(info.siblings.map((s) => [s.rfilename, [s.size, !!s.lfs]]));
    assert.deepEqual(kind["nearly-threshold.txt"], [nearly.length, false]);
    assert.deepEqual(kind["over-threshold.txt"], [11 * 1024 * 1024, true]);
    assert.deepEqual(kind["sub/small.txt"], [6, false]);
    assert.deepEqual(kind["sub/pic.png"], [8, true]);
    assert.equal(await read(repo, "sub/small.txt"), "small\n");
  });
});
