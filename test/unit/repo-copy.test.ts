import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FileEntry } from "../../src/server/store/file-tree.js";
import {
  type RepoKey,
  type RepoMeta,
  RepoStore,
  RevisionNotFound,
  TooManyCommits,
} from "../../src/server/store/repo-store.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * RepoStore.createCopy on a real folder: the whole commit graph (merge parents too) with its ids,
 * LFS grants for every object in it and nothing else, and nothing left behind when a copy fails.
 */
let dir: { path: string; cleanup: () => Promise<void> };
let store: RepoStore;
let source: RepoMeta;
const ids: Record<string, string> = {};

const lfs = (n: number): FileEntry => ({
  sha256: String(n).repeat(64).slice(0, 64),
  size: n,
  lfs: true,
  gitOid: "0".repeat(40),
});
const key = (name: string): RepoKey => ({ face: "hf", type: "model", namespace: "alice", name });
const opts = { private: false };

before(async () => {
  dir = await tempDir("repocopy");
  store = new RepoStore(dir.path);
  await store.init();
  source = await store.create(key("src"), { private: false, author: "alice", initialFiles: {} });
  const base = { description: "", author: "alice" };
  const c1 = await store.writeCommit(source, {
    ...base,
    parents: [source.branches.main!],
    title: "1",
    files: { a: lfs(1) },
  });
  const c2 = await store.writeCommit(source, { ...base, parents: [c1.id], title: "2", files: { a: lfs(2) } });
  const side = await store.writeCommit(source, {
    ...base,
    parents: [c1.id],
    title: "side",
    files: { b: lfs(3) },
  });
  const merge = await store.writeCommit(source, {
    ...base,
    parents: [c2.id, side.id],
    title: "merge",
    files: { a: lfs(2), b: lfs(3) },
  });
  Object.assign(ids, { c1: c1.id, c2: c2.id, side: side.id, merge: merge.id });
  source.branches.main = merge.id;
  source.tags.v1 = c1.id;
  await store.saveMeta(source);
});

after(async () => {
  await dir?.cleanup();
});

describe("RepoStore.createCopy", () => {
  it("copies every commit reachable through all parents, with its id, and grants exactly their LFS objects", async () => {
    // What an interrupted copy left under the target's name must not become the new repo's.
    const stale = join(dir.path, "repos", "hf", "models", "alice", "copy", "lfs");
    await mkdir(stale, { recursive: true });
    await writeFile(join(stale, lfs(9).sha256), "");
    const copy = await store.createCopy(key("copy"), opts, source, 100);
    assert.deepEqual(copy.branches, source.branches);
    assert.deepEqual(copy.tags, source.tags);
    for (const id of Object.values(ids)) assert.ok(await store.loadCommit(copy, id), `commit ${id} copied`);
    for (const n of [1, 2, 3]) assert.equal(await store.lfs.has(copy, lfs(n).sha256), true);
    assert.equal(await store.lfs.has(copy, lfs(9).sha256), false, "a leftover grant is cleared");
    // It survives a restart, as any repo.
    const again = new RepoStore(dir.path);
    await again.init();
    const reread = again.get(key("copy"))!;
    assert.equal((await again.history(reread, reread.branches.main!)).length, 4);
    assert.equal(await again.lfs.has(reread, lfs(3).sha256), true);
  });

  it("a history over the bound, or a missing commit, leaves no repo and no folder behind", async () => {
    await assert.rejects(store.createCopy(key("big"), opts, source, 3), TooManyCommits);
    const broken: RepoMeta = { ...source, branches: { main: "f".repeat(40) }, tags: {} };
    await assert.rejects(store.createCopy(key("broken"), opts, broken, 100), RevisionNotFound);
    for (const name of ["big", "broken"]) {
      assert.equal(store.get(key(name)), undefined);
      assert.equal(existsSync(join(dir.path, "repos", "hf", "models", "alice", name)), false);
    }
  });

  it("refuses an id that exists", async () => {
    await assert.rejects(store.createCopy(key("src"), opts, source, 100), /exists/);
  });
});
