import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getChunks } from "@huggingface/xetchunk-wasm";
import { MAX_CHUNK, MIN_CHUNK } from "../../src/xet/chunker.js";
import { decodeLayout, encodeLayout } from "../../src/xet/layout-codec.js";
import { reconstructionV1, reconstructionV2 } from "../../src/xet/reconstruction.js";
import { type XetLayout, XetLayoutBuilder, xorbOffsets } from "../../src/xet/xet-layout.js";
import { CHUNK_HEADER_SIZE, chunkHeader, parseChunkHeader } from "../../src/xet/xorb-format.js";
import { pseudoRandom } from "../helpers/fixtures.js";

/**
 * Known vectors: hub-docs gives no output vectors for chunking or file hashes (its reference files
 * live on huggingface.co, out of reach), so these file hashes were computed by hf_xet 1.8.0's
 * `hash_files` (the Rust reference, in .venv/hf) over the same deterministic inputs.
 */
const TEXT = Buffer.from(Array.from({ length: 60000 }, (_, i) => `line ${i} of a text file\n`).join(""));
const VECTORS: [string, Buffer, string][] = [
  ["1 byte", pseudoRandom(1, 1), "4adcee937738752c132ce7c54745d2cdb1bf4f8f8db40fd7ea62fb397c550ced"],
  ["8191 bytes", pseudoRandom(8191, 2), "fa1157e03f3dcbd8ebe45896633e83ca14f1f71c617152570be34eb4076d8be8"],
  ["8192 bytes", pseudoRandom(8192, 3), "e1cf9db5837f3ddbbe27a8a66417ea9838e5a93f642e85d003be9a80aca971ab"],
  ["8300 bytes", pseudoRandom(8300, 4), "cb9cc4dab7c43b7f94c6a676500d8906b51cea34920032106b5e263c147b3899"],
  ["70 kB", pseudoRandom(70000, 5), "6ad3b22f7678eea3ea45b37454d5ee223b013d2d47aa8a63f0cc9fbaddb28620"],
  ["300 kB", pseudoRandom(300000, 6), "6fb510f3752d290b75171f0e4b452cbd09f08b2ed707f45dd98a7aad2677f7ed"],
  ["1 MB", pseudoRandom(1000000, 7), "d019d3b0c9c5396edfa0855cd90abdb8c7de61ebdf367ca51780519733b4f541"],
  ["text", TEXT, "1fd4cb79070c34ed68f7eef9e0f27b8729038333f4dbe520bdd31d66463037ba"],
  [
    "zeros (max-size cuts)",
    Buffer.alloc(300000),
    "3d7bd4178bc2851ba07d59c24c3a88ae0c7220e9920d6c5c6a06b01556d46404",
  ],
];

function layoutOf(data: Buffer, step = data.length || 1, maxBytes = 64 * 1024 * 1024): XetLayout {
  const b = new XetLayoutBuilder({ maxBytes, maxChunks: 8192 });
  for (let i = 0; i < data.length; i += step) b.push(data.subarray(i, i + step));
  return b.finish();
}

/** Rebuilds a file from a reconstruction the way a client does, with xorb bytes made like the hub's route. */
function reassemble(data: Buffer, layout: XetLayout, range?: { start: number; end: number }): Buffer {
  const xorbBytes = layout.xorbs.map((x) => {
    let at = layout.chunkLengths.slice(0, x.start).reduce((a, b) => a + b, 0);
    const parts: Buffer[] = [];
    for (let i = x.start; i < x.end; i++) {
      const len = layout.chunkLengths[i]!;
      parts.push(Buffer.from(chunkHeader(len)), data.subarray(at, at + len));
      at += len;
    }
    return Buffer.concat(parts);
  });
  const r = reconstructionV2(layout, range, (i) => `xorb:${i}`)!;
  const out: Buffer[] = [];
  for (const term of r.terms) {
    const entry = r.xorbs[term.hash]![0]!;
    const bytes = xorbBytes[Number(entry.url.slice(5))]!;
    const desc = entry.ranges.find(
      (d) => d.chunks.start <= term.range.start && d.chunks.end >= term.range.end,
    )!;
    let p = desc.bytes.start;
    const got: Buffer[] = [];
    for (let i = desc.chunks.start; i < desc.chunks.end; i++) {
      const h = parseChunkHeader(bytes.subarray(p, p + CHUNK_HEADER_SIZE));
      const chunk = bytes.subarray(p + CHUNK_HEADER_SIZE, p + CHUNK_HEADER_SIZE + h.compressedSize);
      if (i >= term.range.start && i < term.range.end) got.push(chunk);
      p += CHUNK_HEADER_SIZE + h.compressedSize;
    }
    assert.equal(p - 1, desc.bytes.end, "byte range ends at the last chunk's end");
    const joined = Buffer.concat(got);
    assert.equal(joined.length, term.unpacked_length);
    out.push(joined);
  }
  const all = Buffer.concat(out).subarray(r.offset_into_first_range);
  return range ? all.subarray(0, range.end - range.start + 1) : all;
}

describe("Xet codec", () => {
  for (const [name, data, want] of VECTORS) {
    it(`file hash of ${name} matches hf_xet, however the bytes are fed`, () => {
      for (const step of [data.length || 1, 1000, 4096, 65536])
        assert.equal(layoutOf(data, step).fileHash, want);
    });
  }

  it("an empty file has no chunks and the all-zero hash", () => {
    const l = layoutOf(Buffer.alloc(0));
    assert.equal(l.chunkLengths.length, 0);
    assert.equal(l.fileHash, "0".repeat(64));
    assert.deepEqual(
      reconstructionV2(l, undefined, () => "u"),
      { offset_into_first_range: 0, terms: [], xorbs: {} },
    );
  });

  it("cuts chunks within the spec's bounds, where xetchunk-wasm 0.2.0 cuts one too short", () => {
    const data = pseudoRandom(1000000, 7);
    const lens = layoutOf(data).chunkLengths;
    for (const len of lens.slice(0, -1)) assert.ok(len >= MIN_CHUNK && len <= MAX_CHUNK, String(len));
    // The reason this hub cuts chunks itself (see src/xet/chunker.ts): this input has one.
    const theirs = getChunks(new Uint8Array(data)).map((c) => c.length);
    assert.ok(
      theirs.slice(0, -1).some((len) => len < MIN_CHUNK),
      "xetchunk-wasm still cuts under 8 KiB",
    );
  });

  it("packs chunks into xorbs under the size limit, and reconstructs whole files and ranges", () => {
    const data = pseudoRandom(1000000, 7);
    const l = layoutOf(data, 65536, 300 * 1024);
    assert.ok(l.xorbs.length >= 3);
    for (const x of l.xorbs) assert.ok(xorbOffsets(l, x).at(-1)! <= 300 * 1024);
    assert.ok(reassemble(data, l).equals(data));
    for (const [s, e] of [
      [0, 0],
      [1, 99],
      [123_456, 654_321],
      [999_000, 999_999],
      [500_000, 5_000_000],
    ] as const) {
      assert.ok(reassemble(data, l, { start: s, end: e }).equals(data.subarray(s, e + 1)), `${s}-${e}`);
    }
    assert.equal(
      reconstructionV2(l, { start: 1_000_000, end: 1_000_001 }, () => "u"),
      null,
      "416",
    );
  });

  it("a file repeating a xorb's content fetches that xorb once, in one range", () => {
    const data = Buffer.alloc(1_000_000);
    const l = layoutOf(data, 65536, 300 * 1024);
    assert.ok(new Set(l.xorbs.map((x) => x.hash)).size < l.xorbs.length, "identical xorbs");
    const r = reconstructionV2(l, { start: 200_000, end: 900_000 }, (i) => `xorb:${i}`)!;
    for (const entries of Object.values(r.xorbs)) assert.equal(entries[0]!.ranges.length, 1);
    assert.ok(reassemble(data, l).equals(data));
    assert.ok(reassemble(data, l, { start: 200_000, end: 900_000 }).equals(data.subarray(200_000, 900_001)));
  });

  it("v1 answers name the same terms, with fetch_info byte ranges", () => {
    const data = pseudoRandom(300000, 6);
    const l = layoutOf(data, 65536, 200 * 1024);
    const v1 = reconstructionV1(l, undefined, (i) => `u${i}`)!;
    const v2 = reconstructionV2(l, undefined, (i) => `u${i}`)!;
    assert.deepEqual(v1.terms, v2.terms);
    for (const [hash, entries] of Object.entries(v2.xorbs)) {
      assert.deepEqual(
        v1.fetch_info[hash]!.map((f) => f.url_range),
        entries[0]!.ranges.map((r) => r.bytes),
      );
    }
  });

  it("chunk headers are version 0, uncompressed, 3-byte little-endian sizes", () => {
    assert.deepEqual([...chunkHeader(0x012345)], [0, 0x45, 0x23, 0x01, 0, 0x45, 0x23, 0x01]);
    assert.throws(() => chunkHeader(0x1000000));
  });

  it("stored layouts round-trip and refuse inconsistent records", () => {
    const l = layoutOf(pseudoRandom(300000, 6), 65536, 200 * 1024);
    assert.deepEqual(decodeLayout(encodeLayout(l)), l);
    const bad = JSON.parse(encodeLayout(l));
    bad.chunkLengths[0] += 1;
    assert.throws(() => decodeLayout(JSON.stringify(bad)));
  });
});
