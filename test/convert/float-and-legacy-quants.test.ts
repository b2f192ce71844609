import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeBF16, decodeF16, encodeBF16, encodeF16 } from "../../src/convert/ggml/float-codecs.js";
import {
  decodeQ4_0,
  decodeQ4_1,
  decodeQ5_0,
  decodeQ5_1,
  decodeQ8_0,
} from "../../src/convert/ggml/legacy-quants-decode.js";
import {
  encodeQ4_0,
  encodeQ4_1,
  encodeQ5_0,
  encodeQ5_1,
  encodeQ8_0,
} from "../../src/convert/ggml/legacy-quants-encode.js";
import { type Decoder, type Encoder, GGML_TYPES, type GgmlType } from "../../src/convert/ggml/types.js";
import { PY_DIR, run, venvBin } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";
import { weightCases } from "./weight-cases.js";

/**
 * The judge is gguf-py 0.19.0 (`gguf.quants`, which llama.cpp's convert_hf_to_gguf.py writes with,
 * and whose legacy quantizers equal ggml's C byte for byte), and numpy's float16 for F16.
 */
const CODECS: Record<string, { encode: Encoder; decode: Decoder }> = {
  F16: { encode: encodeF16, decode: decodeF16 },
  BF16: { encode: encodeBF16, decode: decodeBF16 },
  Q4_0: { encode: encodeQ4_0, decode: decodeQ4_0 },
  Q4_1: { encode: encodeQ4_1, decode: decodeQ4_1 },
  Q5_0: { encode: encodeQ5_0, decode: decodeQ5_0 },
  Q5_1: { encode: encodeQ5_1, decode: decodeQ5_1 },
  Q8_0: { encode: encodeQ8_0, decode: decodeQ8_0 },
};
const ROW = 256;

interface Job {
  op: "quantize" | "dequantize";
  type: string;
  input: string;
  output: string;
  rowLength: number;
}

/** Where two byte strings first differ, as "block N byte M" of the type, or null when equal. */
function firstDifference(ours: Uint8Array, theirs: Uint8Array, type: GgmlType): string | null {
  if (ours.length !== theirs.length) return `lengths ${ours.length} vs ${theirs.length}`;
  const size = GGML_TYPES[type].typeSize;
  for (let i = 0; i < ours.length; i++)
    if (ours[i] !== theirs[i])
      return `block ${Math.floor(i / size)} byte ${i % size}: ${ours[i]} vs ${theirs[i]}`;
  return null;
}

describe("ggml codecs: F16, BF16 and the 32-value quants against gguf-py", () => {
  const cases = weightCases(ROW);
  const jobs: Job[] = [];
  let dir = "";
  let cleanup = async () => {};
  const path = (name: string) => join(dir, name);

  before(async () => {
    ({ path: dir, cleanup } = await tempDir("codecs"));
    for (const [name, values] of Object.entries(cases)) {
      writeFileSync(path(`${name}.f32`), values);
      for (const type of Object.keys(CODECS)) {
        jobs.push({
          op: "quantize",
          type,
          input: path(`${name}.f32`),
          output: path(`${name}.${type}.ref`),
          rowLength: ROW,
        });
        jobs.push({
          op: "dequantize",
          type,
          input: path(`${name}.${type}.ref`),
          output: path(`${name}.${type}.deq`),
          rowLength: ROW,
        });
      }
    }
    writeFileSync(path("jobs.json"), JSON.stringify(jobs));
    const r = await run(venvBin("gguf", "python"), [join(PY_DIR, "gguf_quants.py"), path("jobs.json")], {});
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => cleanup());

  for (const type of Object.keys(CODECS) as GgmlType[]) {
    test(`${type}: our bytes equal gguf-py's, and our decoding equals its dequantize`, () => {
      const codec = CODECS[type] as { encode: Encoder; decode: Decoder };
      for (const [name, values] of Object.entries(cases)) {
        const theirs = new Uint8Array(readFileSync(path(`${name}.${type}.ref`)));
        const ours = codec.encode(values);
        assert.equal(firstDifference(ours, theirs, type), null, `${type} ${name}: encodings differ`);
        const decoded = new Uint8Array(codec.decode(theirs).buffer);
        const expected = new Uint8Array(readFileSync(path(`${name}.${type}.deq`)));
        assert.equal(firstDifference(decoded, expected, "F32"), null, `${type} ${name}: decodings differ`);
      }
    });
  }

  test("a tensor that is not whole blocks is refused, not padded", () => {
    assert.throws(() => encodeQ8_0(new Float32Array(33)), /not whole blocks of 32/);
    assert.throws(() => decodeQ4_0(new Uint8Array(19)), /not whole blocks of 18/);
  });
});
