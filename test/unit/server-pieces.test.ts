import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startLocalHub } from "../../src/index.js";
import { UserTable } from "../../src/server/auth/users.js";
import { parseRange } from "../../src/server/http/range.js";
import { parseRateLimits } from "../../src/server/http/rate-limit.js";
import { UrlSigner } from "../../src/server/http/signed-url.js";
import { storeRegular } from "../../src/server/store/file-entry.js";
import { FileTree } from "../../src/server/store/file-tree.js";
import { gitBlobOid } from "../../src/server/store/git-objects.js";
import { DEFAULT_GITATTRIBUTES, LfsPatterns } from "../../src/server/store/gitattributes.js";
import { repoPathProblem } from "../../src/server/store/repo-path.js";
import { WeighedCache } from "../../src/server/store/weighed-cache.js";

describe("range parsing", () => {
  it("handles a-b, a-, -n, out of range and garbage", () => {
    assert.deepEqual(parseRange("bytes=0-0", 10), { kind: "partial", start: 0, end: 0 });
    assert.deepEqual(parseRange("bytes=5-", 10), { kind: "partial", start: 5, end: 9 });
    assert.deepEqual(parseRange("bytes=-3", 10), { kind: "partial", start: 7, end: 9 });
    assert.deepEqual(parseRange("bytes=2-100", 10), { kind: "partial", start: 2, end: 9 });
    assert.deepEqual(parseRange("bytes=10-", 10), { kind: "unsatisfiable" });
    assert.deepEqual(parseRange("items=1-2", 10), { kind: "full" });
    assert.deepEqual(parseRange(undefined, 10), { kind: "full" });
  });
});

describe("git objects", () => {
  it("tree ids equal git's own for the same files", () => {
    const dir = mkdtempSync(join(tmpdir(), "hubferry-git-"));
    const files = { "a.txt": "alpha\n", "sub/b.txt": "beta\n", "sub-x.txt": "x\n", "sub/deeper/c.md": "c\n" };
    execFileSync("git", ["init", "-q", dir]);
    const map: Record<string, { sha256: string; size: number; lfs: boolean; gitOid: string }> = {};
    for (const [p, c] of Object.entries(files)) {
      execFileSync("mkdir", ["-p", join(dir, p, "..")]);
      writeFileSync(join(dir, p), c);
      map[p] = { sha256: "", size: c.length, lfs: false, gitOid: gitBlobOid(Buffer.from(c)) };
    }
    execFileSync("git", ["-C", dir, "add", "-A"]);
    const gitTree = execFileSync("git", ["-C", dir, "write-tree"]).toString().trim();
    assert.equal(new FileTree(map).rootOid, gitTree);
  });
});

describe(".gitattributes LFS patterns", () => {
  it("matches the default patterns by basename at any depth, and anchored folder patterns", () => {
    const p = new LfsPatterns(DEFAULT_GITATTRIBUTES);
    assert.ok(p.matches("model.safetensors"));
    assert.ok(p.matches("deep/dir/pytorch_model.bin"));
    assert.ok(p.matches("saved_model/variables/x.data"));
    assert.ok(!p.matches("config.json"));
    assert.ok(
      new LfsPatterns("my[[:space:]]file.dat filter=lfs diff=lfs merge=lfs -text\n").matches("my file.dat"),
    );
  });
});

describe("repo paths", () => {
  it("refuses traversal, absolute, empty segments and .git", () => {
    for (const bad of ["../a", "a/../b", "/a", "a//b", ".git/config", "..\\b", "", "./a"])
      assert.ok(repoPathProblem(bad), bad);
    // As on the real hub, a backslash is a plain character of a name unless the path climbs out with it.
    for (const good of ["a", "a/b.c", ".gitattributes", "x/.git-keep", "a\\b", "folder/..\\..\\file"])
      assert.equal(repoPathProblem(good), undefined, good);
  });
});

describe("signed URLs", () => {
  it("verify their own path only, and expire", () => {
    const s = new UrlSigner(Buffer.alloc(32, 1));
    const url = new URL(s.sign("http://h", "/_hubferry/objects/abc"));
    assert.ok(s.verify(url.pathname, url.searchParams));
    assert.ok(!s.verify("/_hubferry/objects/abd", url.searchParams));
    const old = new URL(s.sign("http://h", "/p", -10));
    assert.ok(!s.verify("/p", old.searchParams));
  });
});

describe("user table and flags", () => {
  it("parses NAME=TOKEN and refuses malformed ones without echoing the token", () => {
    assert.deepEqual(UserTable.parseTokenFlag("alice=hf_abcd1234"), { name: "alice", token: "hf_abcd1234" });
    assert.throws(
      () => UserTable.parseTokenFlag("hf_secretvalue"),
      (e: Error) => /NAME=TOKEN/.test(e.message) && !e.message.includes("secretvalue"),
    );
    assert.throws(
      () => UserTable.parseTokenFlag("alice=xx_secretvalue"),
      (e: Error) => /hf_ or ms-/.test(e.message) && !e.message.includes("secretvalue"),
    );
  });

  it("rate-limit specs", () => {
    assert.equal(parseRateLimits("api=10,resolvers=20").resolvers, 20);
    assert.throws(() => parseRateLimits("apis=10"), /unknown bucket/);
    assert.throws(() => parseRateLimits("api=0"), /positive/);
  });
});

describe("the store's bounded caches and last commits", () => {
  it("a weighed cache drops the least recently used past its entries or its weight", () => {
    const c = new WeighedCache<number[]>(3, 10, (v) => v.length);
    c.set("a", [1, 2, 3]);
    c.set("b", [1, 2, 3]);
    assert.deepEqual(c.get("a"), [1, 2, 3]); // a is now the most recent
    c.set("c", [1, 2, 3, 4, 5]); // weight 11 > 10: b (least recent) goes
    assert.equal(c.get("b"), undefined);
    assert.ok(c.get("a") && c.get("c"));
    c.set("huge", new Array(50).fill(0)); // heavier than the bound alone: kept, everything else goes
    assert.equal(c.size, 1);
    assert.equal(c.get("huge")?.length, 50);
  });

  it("lastCommitsOf: each file's and folder's last change, in one walk", async () => {
    const root = mkdtempSync(join(tmpdir(), "hubferry-last-"));
    const hub = await startLocalHub({ root, users: new UserTable(), port: 0 });
    try {
      const { repos, blobs } = hub.hub;
      const add = async (path: string, text: string) => ({
        kind: "add" as const,
        path,
        entry: await storeRegular(blobs, Buffer.from(text)),
      });
      const meta = await repos.create(
        { face: "hf", type: "model", namespace: "t", name: "last" },
        { private: false, author: "t", initialFiles: {} },
      );
      const commit = async (title: string, ops: Awaited<ReturnType<typeof add>>[]) =>
        repos.commit(meta, { branch: "main", title, description: "", author: "t", ops });
      const c1 = await commit("one", [await add("a/x.txt", "x1"), await add("b/y.txt", "y1")]);
      const c2 = await commit("two", [await add("a/x.txt", "x2")]);
      const c3 = await commit("three", [await add("c.txt", "c")]);
      const last = await repos.lastCommitsOf(meta, c3, [
        { path: "a/x.txt", isDir: false },
        { path: "b/y.txt", isDir: false },
        { path: "c.txt", isDir: false },
        { path: "a", isDir: true },
        { path: "b", isDir: true },
      ]);
      assert.equal(last.get("a/x.txt")?.id, c2.id);
      assert.equal(last.get("b/y.txt")?.id, c1.id);
      assert.equal(last.get("c.txt")?.id, c3.id);
      assert.equal(last.get("a")?.id, c2.id);
      assert.equal(last.get("b")?.id, c1.id);
    } finally {
      await hub.close();
    }
  });
});

describe("commits kept as changes", () => {
  it("a long history reads back whole after a restart, and the disk holds changes, not copies", async () => {
    const root = mkdtempSync(join(tmpdir(), "hubferry-delta-"));
    const key = { face: "hf" as const, type: "model" as const, namespace: "t", name: "delta" };
    let hub = await startLocalHub({ root, users: new UserTable(), port: 0 });
    const expected: Record<string, string> = {};
    let head: Awaited<ReturnType<typeof hub.hub.repos.commit>> | undefined;
    try {
      const { repos, blobs } = hub.hub;
      const meta = await repos.create(key, { private: false, author: "t", initialFiles: {} });
      const base: { kind: "add"; path: string; entry: Awaited<ReturnType<typeof storeRegular>> }[] = [];
      for (let i = 0; i < 200; i++)
        base.push({
          kind: "add",
          path: `f/${i}.txt`,
          entry: await storeRegular(blobs, Buffer.from(`v0 ${i}`)),
        });
      head = await repos.commit(meta, {
        branch: "main",
        title: "base",
        description: "",
        author: "t",
        ops: base,
      });
      // 70 commits of one change each (past two snapshots), one of them a deletion.
      for (let n = 1; n <= 70; n++) {
        const path = `f/${n % 200}.txt`;
        const ops =
          n === 35
            ? [{ kind: "delete" as const, path: "f/199.txt" }]
            : [
                {
                  kind: "add" as const,
                  path,
                  entry: await storeRegular(blobs, Buffer.from(`v${n} ${path}`)),
                },
              ];
        head = await repos.commit(meta, {
          branch: "main",
          title: `c${n}`,
          description: "",
          author: "t",
          ops,
        });
      }
      for (const [p, e] of Object.entries(head.files)) expected[p] = e.gitOid;
    } finally {
      await hub.close();
    }
    const commitsDir = join(root, "repos", "hf", "models", "t", "delta", "commits");
    const sizes = readdirSync(commitsDir).map((f) => statSync(join(commitsDir, f)).size);
    const whole = sizes.filter((s) => s > 10_000).length;
    assert.ok(whole >= 2 && whole <= 6, `${whole} commits kept whole of ${sizes.length}`);
    hub = await startLocalHub({ root, users: new UserTable(), port: 0 });
    try {
      const meta = hub.hub.repos.get(key);
      assert.ok(meta);
      const again = await hub.hub.repos.commitAt(meta, "main");
      assert.equal(again.id, head!.id);
      assert.deepEqual(
        Object.fromEntries(Object.entries(again.files).map(([p, e]) => [p, e.gitOid])),
        expected,
      );
      assert.equal(again.files["f/199.txt"], undefined, "the deletion is kept");
    } finally {
      await hub.close();
    }
  });
});
