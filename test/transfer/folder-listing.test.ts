import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  localFolderDestination,
  localFolderSource,
  skippedEntries,
} from "../../src/hubs/local/local-folder.js";
import { tempDir } from "../helpers/tmp.js";

/** What a folder offers as a source or destination: regular files only, and what it leaves out, said. */
let dir: { path: string; cleanup: () => Promise<void> };

before(async () => {
  dir = await tempDir("listing");
  await mkdir(join(dir.path, "sub"), { recursive: true });
  await mkdir(join(dir.path, ".git"), { recursive: true });
  await writeFile(join(dir.path, "a.txt"), "alpha\n");
  await writeFile(join(dir.path, "sub", "b.txt"), "beta\n");
  await writeFile(join(dir.path, ".git", "HEAD"), "ref: refs/heads/main\n");
  await symlink("/etc/hostname", join(dir.path, "link.txt"));
  execFileSync("mkfifo", [join(dir.path, "pipe")]);
});
after(() => dir?.cleanup());

describe("a folder's listing", () => {
  it("lists regular files with their hashes, never links, special files or .git", async () => {
    const src = await localFolderSource(dir.path);
    const files = await src.list();
    assert.deepEqual(
      files.map((f) => f.path),
      ["a.txt", "sub/b.txt"],
    );
    assert.match(files[0]!.sha256!, /^[0-9a-f]{64}$/);
    const dest = await localFolderDestination(dir.path).list();
    assert.deepEqual(
      dest.map((f) => f.path),
      ["a.txt", "sub/b.txt"],
    );
  });

  it("says what it leaves out and why", async () => {
    assert.deepEqual(await skippedEntries(dir.path), [
      { path: ".git", reason: "git's own folder" },
      { path: "link.txt", reason: "a symbolic link (hubs store no links)" },
      { path: "pipe", reason: "not a regular file (socket, pipe or device)" },
    ]);
  });

  it("refuses what is not a folder, naming it", async () => {
    await assert.rejects(localFolderSource(join(dir.path, "a.txt")), /a\.txt is not a folder/);
  });
});
