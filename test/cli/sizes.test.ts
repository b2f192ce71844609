import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, open, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseSize } from "../../src/cli/parse-size.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

const MB = 1_000_000;

describe("sizes mean what they say", () => {
  it("parses decimal units as hf does, binary units as powers of 1024, any case", () => {
    const table: [string, number][] = [
      ["1048576", 1_048_576],
      ["500MB", 500 * MB],
      ["10M", 10 * MB],
      ["10m", 10 * MB],
      ["50G", 50e9],
      ["50GB", 50e9],
      ["50gb", 50e9],
      ["50GiB", 50 * 2 ** 30],
      ["16MiB", 16 * 2 ** 20],
      ["1.5T", 1.5e12],
      ["512KB", 512_000],
      ["2k", 2000],
      ["0", 0],
      [" 7 ", 7],
    ];
    for (const [text, bytes] of table) assert.equal(parseSize("--max-size", text), bytes, text);
    for (const bad of ["5Q", "lots", "", "-1G", "1.2.3G", "G", "1e9", "10 M B", "NaN"]) {
      assert.throws(
        () => parseSize("--max-size", bad),
        (err: Error) => /--max-size: ".*" is not a size/.test(err.message),
        bad,
      );
    }
  });

  describe("cache prune on a 600 MB cache", () => {
    let dir: { path: string; cleanup: () => Promise<void> };
    let hubCache: string;
    const blobPath = (repo: string) => join(hubCache, `models--acme--${repo}`, "blobs", "a".repeat(64));

    /** A Hugging Face cache entry as huggingface_hub lays it out, with a sparse blob of `bytes`. */
    async function cachedRepo(repo: string, bytes: number, lastUsed: Date): Promise<void> {
      const root = join(hubCache, `models--acme--${repo}`);
      const commit = "c".repeat(40);
      await mkdir(join(root, "blobs"), { recursive: true });
      await mkdir(join(root, "refs"), { recursive: true });
      await mkdir(join(root, "snapshots", commit), { recursive: true });
      const fh = await open(blobPath(repo), "w");
      await fh.truncate(bytes);
      await fh.close();
      await utimes(blobPath(repo), lastUsed, lastUsed);
      await writeFile(join(root, "refs", "main"), commit);
      await symlink(join("..", "..", "blobs", "a".repeat(64)), join(root, "snapshots", commit, "model.bin"));
    }

    const env = () => ({ HOME: dir.path, HF_HUB_CACHE: hubCache, MODELSCOPE_CACHE: join(dir.path, "ms") });

    before(async () => {
      dir = await tempDir("sizes");
      hubCache = join(dir.path, "hf");
      await cachedRepo("old", 400 * MB, new Date("2020-01-01"));
      await cachedRepo("new", 200 * MB, new Date("2024-01-01"));
    });
    after(() => dir.cleanup());

    it("--max-size 50G removes nothing, and says so before anything", async () => {
      const r = await runCli(["cache", "prune", "--max-size", "50G"], env());
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /nothing to remove/);
      assert.ok(existsSync(blobPath("old")) && existsSync(blobPath("new")));
    });

    it("a limit just under the total removes only the least recently used repo, after saying so", async () => {
      const dry = await runCli(["cache", "prune", "--max-size", "500MB", "--dry-run"], env());
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /would remove hf:acme\/old/);
      assert.doesNotMatch(dry.stdout, /acme\/new \(/);
      assert.match(dry.stdout, /keeps 1 repo\(s\)/);
      const r = await runCli(["cache", "prune", "--max-size", "500MB", "--json"], env());
      assert.equal(r.code, 0, r.stderr);
      const res = JSON.parse(r.stdout) as { removed: { repo: string }[]; kept: { repo: string }[] };
      assert.deepEqual(
        res.removed.map((x) => x.repo),
        ["hf:acme/old"],
      );
      assert.deepEqual(
        res.kept.map((x) => x.repo),
        ["hf:acme/new"],
      );
      assert.equal(existsSync(blobPath("old")), false);
      assert.ok(existsSync(blobPath("new")));
    });

    it("an unknown unit is exit 2 naming the flag and the accepted forms", async () => {
      const r = await runCli(["cache", "prune", "--max-size", "5Q"], env());
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--max-size: "5Q" is not a size/);
      assert.match(r.stderr, /50G/);
      assert.ok(existsSync(blobPath("new")), "nothing removed");
    });

    it("serve refuses a bad size flag the same way", async () => {
      const r = await runCli(
        ["serve", "--root", join(dir.path, "hub"), "--port", "0", "--lfs-threshold", "10Q"],
        env(),
        { timeoutMs: 30_000 },
      );
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--lfs-threshold: "10Q" is not a size/);
    });
  });
});
