import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BlobStore } from "../../src/server/store/blob-store.js";
import { XetIndex } from "../../src/server/xet/xet-index.js";
import { pseudoRandom } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/tmp.js";

const LIMITS = { maxBytes: 300 * 1024, maxChunks: 8192 };

describe("XetIndex (layouts kept in the store)", () => {
  it("computes a layout in the background, never on the asking call, and keeps it across restarts", async () => {
    const dir = await tempDir("xetidx");
    try {
      const blobs = new BlobStore(dir.path);
      await blobs.init();
      const blob = await blobs.putBuffer(pseudoRandom(700_000, 7));
      const index = new XetIndex(dir.path, blobs, LIMITS);
      await index.init();
      assert.equal(index.fileHash(blob.sha256), undefined, "not known yet: asking only queues it");
      await index.idle();
      const hash = index.fileHash(blob.sha256);
      assert.match(hash ?? "", /^[0-9a-f]{64}$/);
      assert.equal(index.blobOf(hash!), blob.sha256);
      assert.ok(((await index.layout(blob.sha256))?.xorbs.length ?? 0) >= 3);
      assert.deepEqual(await readdir(join(dir.path, "xet", "tmp")), [], "no temp file left");

      const again = new XetIndex(dir.path, blobs, LIMITS);
      await again.init();
      assert.equal(again.fileHash(blob.sha256), hash, "known at start, from the markers");
      assert.deepEqual(await again.layout(blob.sha256), await index.layout(blob.sha256));
    } finally {
      await dir.cleanup();
    }
  });

  it("a blob not in the store stays unknown and is asked for again later", async () => {
    const dir = await tempDir("xetidx");
    try {
      const blobs = new BlobStore(dir.path);
      await blobs.init();
      const index = new XetIndex(dir.path, blobs, LIMITS);
      await index.init();
      const missing = "a".repeat(64);
      assert.equal(index.fileHash(missing), undefined);
      await index.idle();
      assert.equal(index.fileHash(missing), undefined);
      assert.equal(await index.layout(missing), undefined);
    } finally {
      await dir.cleanup();
    }
  });
});
