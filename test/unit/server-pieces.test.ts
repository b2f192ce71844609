import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { UserTable } from "../../src/server/auth/users.js";
import { parseRange } from "../../src/server/http/range.js";
import { parseRateLimits } from "../../src/server/http/rate-limit.js";
import { UrlSigner } from "../../src/server/http/signed-url.js";
import { FileTree } from "../../src/server/store/file-tree.js";
import { gitBlobOid } from "../../src/server/store/git-objects.js";
import { DEFAULT_GITATTRIBUTES, LfsPatterns } from "../../src/server/store/gitattributes.js";
import { repoPathProblem } from "../../src/server/store/repo-path.js";

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
