import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { encodeF16, encodeF32 } from "../../src/convert/ggml/float-codecs.js";
import { encodeQ4_0, encodeQ8_0 } from "../../src/convert/ggml/legacy-quants-encode.js";
import { type GgufMetadata, gguf } from "../../src/convert/gguf/gguf-value.js";
import { type GgufTensorInfo, layOutGguf } from "../../src/convert/gguf/write-header.js";
import { PY_DIR, run, venvBin } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * Judged by gguf-py 0.19.0: GGUFReader parses our file back to what we meant, and GGUFWriter,
 * given the same metadata and tensors, writes the same bytes.
 */
const METADATA: GgufMetadata = [
  ["general.architecture", gguf.str("llama")],
  ["general.name", gguf.str("Tiny Llämä ✓")],
  ["general.file_type", gguf.u32(7)],
  ["llama.block_count", gguf.u32(2)],
  ["llama.rope.freq_base", gguf.f32(500000)],
  ["llama.attention.layer_norm_rms_epsilon", gguf.f32(1e-5)],
  ["tokenizer.ggml.add_bos_token", gguf.bool(true)],
  ["tokenizer.ggml.tokens", gguf.strings(["<s>", "</s>", "", "▁hello", "日本"])],
  ["tokenizer.ggml.scores", gguf.f32s([0, -1.5, 0.1, -1e-3, 7])],
  ["tokenizer.ggml.token_type", gguf.i32s([3, 3, 1, 1, 6])],
  ["test.int8", { type: "int8", value: -5 }],
  ["test.uint16", { type: "uint16", value: 65535 }],
  ["test.int64", { type: "int64", value: -(2n ** 40n) }],
  ["test.uint64", { type: "uint64", value: 2n ** 40n }],
  ["test.float64", { type: "float64", value: Math.PI }],
];

function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sin(i * 0.37 + seed) * 0.1;
  return out;
}

const TENSORS: Array<GgufTensorInfo & { data: Uint8Array }> = [
  { name: "token_embd.weight", dims: [64, 5], type: "Q8_0", data: encodeQ8_0(values(320, 1)) },
  { name: "blk.0.attn_norm.weight", dims: [3], type: "F32", data: encodeF32(values(3, 2)) },
  { name: "blk.0.attn_q.weight", dims: [32, 7], type: "F16", data: encodeF16(values(224, 3)) },
  { name: "blk.0.ffn_down.weight", dims: [64, 2, 3], type: "Q4_0", data: encodeQ4_0(values(384, 4)) },
];

function writeOurs(path: string): ReturnType<typeof layOutGguf> {
  const layout = layOutGguf(METADATA, TENSORS);
  const parts: Uint8Array[] = [layout.header];
  TENSORS.forEach((t, i) => {
    parts.push(t.data, new Uint8Array(layout.tensors[i]?.padding ?? 0));
  });
  writeFileSync(path, Buffer.concat(parts));
  return layout;
}

interface Read {
  fields: Array<{ key: string; types: string[]; value: unknown }>;
  tensors: Array<{ name: string; dims: number[]; type: string; offset: number; bytes: number }>;
}

describe("GGUF header: laid out as gguf-py writes and reads it", () => {
  let dir = "";
  let cleanup = async () => {};
  let read: Read;
  let layout: ReturnType<typeof layOutGguf>;

  before(async () => {
    ({ path: dir, cleanup } = await tempDir("gguf"));
    layout = writeOurs(join(dir, "ours.gguf"));
    const tensors = TENSORS.map((t) => {
      const data = join(dir, `${t.name}.bin`);
      writeFileSync(data, t.data);
      return { name: t.name, dims: t.dims, type: t.type, data };
    });
    const job = {
      ours: join(dir, "ours.gguf"),
      reference: join(dir, "ref.gguf"),
      arch: "llama",
      metadata: METADATA,
      tensors,
    };
    writeFileSync(
      join(dir, "job.json"),
      JSON.stringify(job, (_k, v) => (typeof v === "bigint" ? v.toString() : ArrayBuffer.isView(v) ? [] : v)),
    );
    const r = await run(venvBin("gguf", "python"), [join(PY_DIR, "gguf_file.py"), join(dir, "job.json")], {});
    assert.equal(r.code, 0, r.stderr);
    read = JSON.parse(r.stdout) as Read;
  });
  after(() => cleanup());

  test("GGUFWriter given the same metadata and tensors writes the same bytes", () => {
    const ours = readFileSync(join(dir, "ours.gguf"));
    const theirs = readFileSync(join(dir, "ref.gguf"));
    assert.equal(ours.length, layout.fileSize);
    assert.equal(ours.length, theirs.length);
    assert.ok(ours.equals(theirs), "the files differ");
  });

  test("GGUFReader reads back every key with its type and value", () => {
    const byKey = new Map(read.fields.map((f) => [f.key, f]));
    assert.deepEqual(
      [...byKey.keys()],
      METADATA.map(([k]) => k),
    );
    assert.deepEqual(byKey.get("general.name"), {
      key: "general.name",
      types: ["STRING"],
      value: "Tiny Llämä ✓",
    });
    assert.deepEqual(byKey.get("llama.attention.layer_norm_rms_epsilon")?.value, Math.fround(1e-5));
    assert.deepEqual(byKey.get("tokenizer.ggml.tokens"), {
      key: "tokenizer.ggml.tokens",
      types: ["ARRAY", "STRING"],
      value: ["<s>", "</s>", "", "▁hello", "日本"],
    });
    assert.deepEqual(byKey.get("tokenizer.ggml.scores")?.value, [0, -1.5, 0.1, -1e-3, 7].map(Math.fround));
    assert.deepEqual(byKey.get("tokenizer.ggml.token_type")?.types, ["ARRAY", "INT32"]);
    assert.deepEqual(byKey.get("test.int64")?.value, -(2 ** 40));
    assert.deepEqual(byKey.get("test.uint64")?.types, ["UINT64"]);
    assert.deepEqual(byKey.get("test.float64")?.value, Math.PI);
    assert.deepEqual(byKey.get("tokenizer.ggml.add_bos_token")?.value, true);
  });

  test("GGUFReader finds every tensor at its aligned offset with its dims and type", () => {
    assert.deepEqual(
      read.tensors.map(({ name, dims, type, bytes }) => ({ name, dims, type, bytes })),
      TENSORS.map((t) => ({ name: t.name, dims: [...t.dims], type: t.type, bytes: t.data.length })),
    );
    const dataStart = layout.header.length;
    read.tensors.forEach((t, i) => {
      assert.equal(t.offset, dataStart + (layout.tensors[i]?.offset ?? -1));
      assert.equal(t.offset % 32, 0);
    });
  });

  test("a tensor whose element count is not whole blocks of its type is refused", () => {
    assert.throws(
      () => layOutGguf(METADATA, [{ name: "x", dims: [33], type: "Q8_0" }]),
      /not a whole number of Q8_0 blocks/,
    );
  });
});
