import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HubferryError } from "../../src/core/errors.js";
import { hashesOf, hashFile, IntegrityError, verifiedStream } from "../../src/transfer/hashing.js";
import { pseudoRandom } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The hashes every transfer is checked against: content sha256 (LFS oid, ModelScope Sha256) and the
 * git blob id (HF's oid of regular files), checked against node:crypto and `git hash-object`.
 */
let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await tempDir("hashing");
});
after(async () => {
  await work?.cleanup();
});

const gitHashObject = (file: string) =>
  execFileSync("git", ["hash-object", file], { encoding: "utf8" }).trim();
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === "string" ? Buffer.from(p) : p;
}

/** Reads a stream to its end, keeping what arrived before an error and the error itself. */
async function drain(stream: AsyncIterable<Uint8Array>): Promise<{ got: Buffer; error?: unknown }> {
  const got: Uint8Array[] = [];
  try {
    for await (const c of stream) got.push(c);
    return { got: Buffer.concat(got) };
  } catch (error) {
    return { got: Buffer.concat(got), error };
  }
}

describe("hashesOf and hashFile", () => {
  const cases: [string, Buffer][] = [
    ["empty.bin", Buffer.alloc(0)],
    ["hello.txt", Buffer.from("hello world\n")],
    // Bigger than one read chunk of a file stream (64 KiB), so hashFile hashes several chunks.
    ["big.bin", pseudoRandom(300_000, 7)],
  ];

  for (const [name, data] of cases) {
    it(`${name} (${data.length} bytes): sha256 as node:crypto, git id as \`git hash-object\``, async () => {
      const file = join(work.path, name);
      await writeFile(file, data);
      const expectedGit = gitHashObject(file);
      assert.deepEqual(hashesOf(data), { sha256: sha256(data), gitOid: expectedGit });
      assert.equal(await hashFile(file, "sha256"), sha256(data));
      assert.equal(await hashFile(file, "git"), expectedGit);
    });
  }

  it("the well-known ids: empty blob e69de29b…, empty sha256 e3b0c442…", () => {
    const h = hashesOf(new Uint8Array(0));
    assert.equal(h.gitOid, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    assert.equal(h.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("a missing file is an error, not a hash", async () => {
    await assert.rejects(hashFile(join(work.path, "nope"), "sha256"), { code: "ENOENT" });
    await assert.rejects(hashFile(join(work.path, "nope"), "git"), { code: "ENOENT" });
  });
});

describe("verifiedStream", () => {
  const content = "abc".repeat(1000);
  const good = { sha256: sha256(Buffer.from(content)), size: content.length, path: "w/model.bin" };

  it("passes every byte through, in order, when size and sha256 match; counts bytes as they go", async () => {
    const counted: number[] = [];
    const { got, error } = await drain(
      verifiedStream(
        chunks(content.slice(0, 1000), content.slice(1000, 2500), content.slice(2500)),
        good,
        (n) => counted.push(n),
      ),
    );
    assert.equal(error, undefined);
    assert.equal(got.toString(), content);
    assert.deepEqual(counted, [1000, 1500, 500]);
  });

  it("wrong content: the last chunk is held back and an IntegrityError comes instead, naming the file", async () => {
    const bad = `${content.slice(0, 2999)}X`;
    const counted: number[] = [];
    const { got, error } = await drain(
      verifiedStream(chunks(bad.slice(0, 1000), bad.slice(1000, 2000), bad.slice(2000)), good, (n) =>
        counted.push(n),
      ),
    );
    assert.ok(error instanceof IntegrityError, String(error));
    assert.ok(error instanceof HubferryError);
    assert.equal(error.code, "INTEGRITY");
    assert.match(error.message, /^w\/model\.bin: got 3000 bytes with sha256 /);
    assert.match(error.message, new RegExp(`expected 3000 bytes with sha256 ${good.sha256.slice(0, 12)}`));
    assert.ok(error.hint);
    // The consumer never saw the whole (wrong) file: an upload fed by this cannot complete.
    assert.equal(got.length, 2000);
    assert.deepEqual(counted, [1000, 1000]);
  });

  it("a short stream (right prefix, missing tail) fails, even in a single chunk", async () => {
    const { got, error } = await drain(verifiedStream(chunks(content.slice(0, 2000)), good));
    assert.ok(error instanceof IntegrityError);
    assert.match(error.message, /got 2000 bytes/);
    assert.equal(got.length, 0);
  });

  it("a longer stream than published fails even if it starts right", async () => {
    const { error } = await drain(verifiedStream(chunks(content, "extra"), good));
    assert.ok(error instanceof IntegrityError);
    assert.match(error.message, /got 3005 bytes/);
  });

  it("an empty file with the empty hash yields nothing and succeeds; with another hash it fails", async () => {
    const empty = { sha256: sha256(new Uint8Array(0)), size: 0, path: "empty" };
    assert.deepEqual(await drain(verifiedStream(chunks(), empty)), { got: Buffer.alloc(0) });
    const { error } = await drain(verifiedStream(chunks(), { ...empty, sha256: good.sha256 }));
    assert.ok(error instanceof IntegrityError);
  });

  it("an error of the source stream reaches the consumer as it is", async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Buffer.from("abc");
      throw new Error("socket hang up");
    }
    const { error } = await drain(verifiedStream(broken(), good));
    assert.ok(error instanceof Error);
    assert.equal(error.message, "socket hang up");
  });
});
