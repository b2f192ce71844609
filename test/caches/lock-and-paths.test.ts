import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { insideDir } from "../../src/caches/inside-dir.js";
import { acquirePullLock, pullLockHeld } from "../../src/caches/pull-lock.js";
import { HubferryError } from "../../src/core/errors.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The cache's two guards: a pull in progress (so `cache prune` leaves that repo alone, and a
 * crashed pull does not block it forever), and paths from a listing that must stay inside the cache.
 */
let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await tempDir("locks");
});
after(async () => {
  await work?.cleanup();
});

describe("pull locks", () => {
  it("held while this process pulls, free after release; an absent folder holds nothing", async () => {
    const dir = join(work.path, "repo-a", ".locks");
    assert.equal(await pullLockHeld(dir), false);
    const lock = await acquirePullLock(dir);
    assert.equal(await pullLockHeld(dir), true);
    const second = await acquirePullLock(dir);
    await lock.release();
    assert.equal(await pullLockHeld(dir), true, "another pull still holds it");
    await second.release();
    assert.equal(await pullLockHeld(dir), false);
    assert.deepEqual(await readdir(dir), []);
  });

  it("a lock of another live process holds; once that process is gone its lock is cleared", async () => {
    const dir = join(work.path, "repo-b");
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    try {
      await acquirePullLock(dir); // creates the folder; replaced below by the child's lock
      for (const n of await readdir(dir)) await writeFile(join(dir, n), String(child.pid));
      assert.equal(await pullLockHeld(dir), true);
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    assert.equal(await pullLockHeld(dir), false, "a dead process holds nothing");
    assert.deepEqual(await readdir(dir), [], "its stale lock file was removed");
  });

  it("garbage in a lock file is a stale lock, not a held one; other files are left alone", async () => {
    const dir = join(work.path, "repo-c");
    await acquirePullLock(dir).then((l) => l.release());
    await writeFile(join(dir, "hubferry-pull-x.lock"), "not a pid");
    await writeFile(join(dir, "hubferry-pull-y.lock"), "-5");
    await writeFile(join(dir, "other.lock"), String(process.pid));
    assert.equal(await pullLockHeld(dir), false);
    assert.deepEqual(await readdir(dir), ["other.lock"]);
  });
});

describe("insideDir", () => {
  const root = "/tmp/hubferry-cache-root";

  it("a relative path of the listing lands under the root", () => {
    assert.equal(insideDir(root, "a/b/c.bin"), `${root}/a/b/c.bin`);
    assert.equal(insideDir(`${root}/`, "x.json"), `${root}/x.json`);
    assert.equal(insideDir(root, "a/../b.txt"), `${root}/b.txt`);
  });

  for (const evil of ["../escape.txt", "a/../../escape.txt", "/etc/passwd", "", "."]) {
    it(`"${evil}" is refused as UNSAFE, naming the path and the root`, () => {
      assert.throws(
        () => insideDir(root, evil),
        (e: unknown) =>
          e instanceof HubferryError &&
          e.code === "UNSAFE" &&
          e.message === `${evil} would be written outside ${root}`,
      );
    });
  }

  it("a sibling folder that merely starts with the root's name is outside", () => {
    assert.throws(() => insideDir(root, "../hubferry-cache-root-2/x"), { code: "UNSAFE" });
    assert.equal(existsSync(`${root}-2`), false);
  });
});
