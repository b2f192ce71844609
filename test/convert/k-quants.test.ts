import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fp16BitsToFp32, fp32ToFp16Bits } from "../../src/convert/ggml/k-quants/half.js";
import {
  decodeQ2K,
  decodeQ3K,
  decodeQ4K,
  decodeQ5K,
  decodeQ6K,
  encodeQ2K,
  encodeQ3K,
  encodeQ4K,
  encodeQ5K,
  encodeQ6K,
} from "../../src/convert/ggml/k-quants/index.js";
import { nearestInt } from "../../src/convert/ggml/k-quants/rounding.js";
import { type Decoder, type Encoder, GGML_TYPES } from "../../src/convert/ggml/types.js";
import { PROJECT_ROOT } from "../helpers/local-hub.js";
import { mulberry32 as rng } from "../helpers/prng.js";
import { runPython } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The judges: ggml's reference quantizers (libggml-base built by scripts/setup-ggml.mjs with
 * GGML_NATIVE=OFF, called through ctypes by ggml_ref.py) for the bytes, and gguf-py 0.19.0's
 * dequantize for the float32 values. Everything is compared bit for bit. All judging happens in one
 * Python process, started once before the tests.
 */

type KType = "Q2_K" | "Q3_K" | "Q4_K" | "Q5_K" | "Q6_K";

const ENCODERS: Record<KType, Encoder> = {
  Q2_K: encodeQ2K,
  Q3_K: encodeQ3K,
  Q4_K: encodeQ4K,
  Q5_K: encodeQ5K,
  Q6_K: encodeQ6K,
};
const DECODERS: Record<KType, Decoder> = {
  Q2_K: decodeQ2K,
  Q3_K: decodeQ3K,
  Q4_K: decodeQ4K,
  Q5_K: decodeQ5K,
  Q6_K: decodeQ6K,
};
const TYPES = Object.keys(DECODERS) as KType[];

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

const SPECIALS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

function randomIndex(r: () => number, n: number): number {
  return Math.floor(r() * n);
}

interface Case {
  name: string;
  nPerRow: number;
  values: Float32Array;
}

function fill(n: number, seed: number, f: (r: () => number, i: number) => number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f(r, i);
  return out;
}

/** 512 blocks, each of a shape and magnitude (1e-8 .. 1e4) of its own: breadth over the branches. */
function mixedBlocks(seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(512 * 256);
  const shapes: ((i: number) => number)[] = [
    () => normal(r),
    () => r() * 2 - 1,
    () => normal(r) * (r() < 0.02 ? 50 : 1),
    () => -Math.abs(normal(r)),
    () => Math.abs(normal(r)),
    () => (r() < 0.1 ? normal(r) : 0),
    () => Math.round(normal(r) * 4) / 4,
    (i) => normal(r) * 10 ** (((i >> 4) % 6) - 3),
    () => 1 + normal(r) * 1e-3,
    () => (r() < 0.5 ? 1 : -1),
  ];
  for (let b = 0; b < 512; b++) {
    const shape = shapes[randomIndex(r, shapes.length)]!;
    const scale = 10 ** (r() * 12 - 8);
    for (let i = 0; i < 256; i++) out[b * 256 + i] = shape(i) * scale;
  }
  return out;
}

/** The input distributions: weight-like, flat, heavy-tailed, and the degenerate blocks. */
function cases(): Case[] {
  const special = new Float32Array(256 * 6);
  special.fill(0.5, 256, 512); // constant positive block
  special.fill(-3, 512, 768); // constant negative block
  special[768 + 77] = 0.7; // one nonzero
  special[1024 + 3] = -1e-3; // one negative nonzero
  for (let i = 1280; i < 1536; i++) special[i] = (i % 16) * 0.125; // a few exact levels
  const perGroup = fill(4096, 11, (r, i) => normal(r) * 10 ** (((i >> 4) % 7) - 4)); // scales spread widely
  return [
    { name: "normal std 0.02", nPerRow: 1024, values: fill(32768, 1, (r) => normal(r) * 0.02) },
    { name: "uniform [-1, 1)", nPerRow: 512, values: fill(4096, 2, (r) => r() * 2 - 1) },
    {
      name: "normal with outliers",
      nPerRow: 768,
      values: fill(3072, 3, (r) => normal(r) * 0.02 * (r() < 0.01 ? 100 : 1)),
    },
    { name: "all-zero blocks", nPerRow: 512, values: new Float32Array(1024) },
    { name: "constant, one nonzero, levels", nPerRow: 256, values: special },
    { name: "negative only", nPerRow: 512, values: fill(1024, 4, (r) => -Math.abs(normal(r)) * 0.05) },
    { name: "positive only", nPerRow: 256, values: fill(512, 5, (r) => Math.abs(normal(r)) * 0.05) },
    { name: "float32 subnormal range", nPerRow: 256, values: fill(512, 6, (r) => normal(r) * 1e-39) },
    { name: "half subnormal range", nPerRow: 512, values: fill(1024, 7, (r) => normal(r) * 1e-6) },
    { name: "large magnitudes ~1e4", nPerRow: 1024, values: fill(4096, 8, (r) => normal(r) * 1e4) },
    { name: "group scales spread over 1e-4..1e2", nPerRow: 1024, values: perGroup },
    { name: "sparse", nPerRow: 256, values: fill(768, 9, (r) => (r() < 0.05 ? normal(r) : 0)) },
    { name: "mixed shapes and magnitudes", nPerRow: 4096, values: mixedBlocks(14) },
    // Beyond any real weight, but C's float and NaN semantics still decide the bytes.
    { name: "halves overflow (~1e7)", nPerRow: 256, values: fill(512, 12, (r) => normal(r) * 1e7) },
    {
      name: "NaN and infinities",
      nPerRow: 512,
      values: fill(1024, 13, (r) => (r() < 0.01 ? SPECIALS[randomIndex(r, 3)]! : normal(r))),
    },
  ];
}

/** Random block bytes with every half field set to a finite half, to judge the decoders alone. */
function randomBlocks(type: KType, nb: number, seed: number): Uint8Array {
  const size = GGML_TYPES[type].typeSize;
  const halves: Record<KType, number[]> = {
    Q2_K: [80, 82],
    Q3_K: [108],
    Q4_K: [0, 2],
    Q5_K: [0, 2],
    Q6_K: [208],
  };
  const r = rng(seed);
  const bytes = new Uint8Array(nb * size);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(r() * 256);
  for (let b = 0; b < nb; b++)
    for (const h of halves[type]) {
      bytes[b * size + h + 1] = bytes[b * size + h + 1]! & 0xbb; // exponent < 31: no inf or NaN
    }
  return bytes;
}

const RANDOM_BLOCKS = 64;

let work: { path: string; cleanup: () => Promise<void> };
let all: Case[];
const ours = new Map<string, Uint8Array>(); // `${type}/${case}` -> our bytes
const theirs = new Map<string, Uint8Array>(); // ggml's bytes
const ggufOfTheirs = new Map<string, Float32Array>(); // gguf-py's decoding of ggml's bytes
const ggufOfOurs = new Map<string, Float32Array>();
const ggufOfRandom = new Map<KType, Float32Array>();
let encodeMs = 0;

function file(name: string): string {
  return join(work.path, name.replace(/[^A-Za-z0-9_.-]+/g, "_"));
}

function writeBytes(path: string, data: Uint8Array | Float32Array): void {
  writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Builds the single batch of jobs for ggml_ref.py and reads its answers back. */
async function judge(): Promise<void> {
  const jobs: Record<string, unknown>[] = [];
  const reads: (() => void)[] = [];
  for (const c of all) {
    const input = file(`${c.name}.f32`);
    writeBytes(input, c.values);
    for (const type of TYPES) {
      const key = `${type}/${c.name}`;
      const id = GGML_TYPES[type].id;
      const ref = file(`${key}.ref`);
      jobs.push({ op: "quantize", type: id, input, n_per_row: c.nPerRow, output: ref });
      jobs.push({ op: "dequantize", type: id, input: ref, output: `${ref}.f32` });
      reads.push(() => {
        theirs.set(key, new Uint8Array(readFileSync(ref)));
        ggufOfTheirs.set(key, readF32(`${ref}.f32`));
      });
      const t0 = performance.now();
      const bytes = ENCODERS[type](c.values);
      encodeMs += performance.now() - t0;
      ours.set(key, bytes);
      const mine = file(`${key}.ours`);
      writeBytes(mine, bytes);
      jobs.push({ op: "dequantize", type: id, input: mine, output: `${mine}.f32` });
      reads.push(() => ggufOfOurs.set(key, readF32(`${mine}.f32`)));
    }
  }
  for (const [i, type] of TYPES.entries()) {
    const input = file(`${type}.random`);
    writeBytes(input, randomBlocks(type, RANDOM_BLOCKS, 100 + i));
    jobs.push({ op: "dequantize", type: GGML_TYPES[type].id, input, output: `${input}.f32` });
    reads.push(() => ggufOfRandom.set(type, readF32(`${input}.f32`)));
  }
  const r = await runPython<{ ok: boolean; error?: string; message?: string; trace?: string }>(
    "gguf",
    "ggml_ref.py",
    { lib: GGML_LIB, jobs },
    {},
  );
  assert.equal(r.ok, true, `ggml_ref.py failed: ${r.error}: ${r.message}\n${r.trace}`);
  for (const read of reads) read();
}

/** Index of the first differing block, or -1. */
function firstBlockDiff(a: Uint8Array, b: Uint8Array, typeSize: number): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return Math.floor(i / typeSize);
  return -1;
}

/** Asserts two float32 arrays are bit-identical, naming the first differing value. */
function assertSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: lengths differ`);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++)
    if (a[i] !== e[i])
      assert.fail(`${what}: value ${i} (block ${i >> 8}) is ${actual[i]}, gguf-py gives ${expected[i]}`);
}

const GGML_LIB = join(PROJECT_ROOT, ".venv", "ggml", "build", "bin", "libggml-base.so");

before(async () => {
  assert.ok(
    existsSync(GGML_LIB),
    `${GGML_LIB} is missing: run \`npm run setup\` (scripts/setup-ggml.mjs builds it)`,
  );
  work = await tempDir("kquants");
  all = cases();
  await judge();
});

after(async () => {
  await work?.cleanup();
});

describe("K-quant encoders: bit-exact with ggml's reference quantizers", () => {
  for (const type of TYPES) {
    it(`${type}`, (t) => {
      let blocks = 0;
      for (const c of all) {
        const key = `${type}/${c.name}`;
        const mine = ours.get(key)!;
        const ref = theirs.get(key)!;
        const at = firstBlockDiff(mine, ref, GGML_TYPES[type].typeSize);
        assert.equal(at, -1, `${type}, ${c.name}: block ${at} differs from ggml's`);
        blocks += ref.length / GGML_TYPES[type].typeSize;
      }
      assert.ok(blocks >= 700, `only ${blocks} blocks judged`);
      t.diagnostic(`${blocks} blocks, every byte equal to ggml's`);
    });
  }
});

describe("K-quant decoders: bit-identical with gguf-py's dequantize", () => {
  for (const type of TYPES) {
    const decode = DECODERS[type];
    it(`${type}, on ggml's bytes and ours`, () => {
      for (const c of all) {
        const key = `${type}/${c.name}`;
        assertSameBits(decode(theirs.get(key)!), ggufOfTheirs.get(key)!, `${type}, ${c.name} (ggml's bytes)`);
        assertSameBits(decode(ours.get(key)!), ggufOfOurs.get(key)!, `${type}, ${c.name} (our bytes)`);
      }
    });
    it(`${type}, on random blocks`, () => {
      const bytes = randomBlocks(type, RANDOM_BLOCKS, 100 + TYPES.indexOf(type));
      assertSameBits(decode(bytes), ggufOfRandom.get(type)!, `${type}, random blocks`);
    });
  }

  it("refuses a partial block", () => {
    assert.throws(() => decodeQ4K(new Uint8Array(145)), RangeError);
    assert.throws(() => encodeQ6K(new Float32Array(300)), RangeError);
  });
});

describe("K-quant helpers", () => {
  it("half rounding round-trips every finite half and rounds ties to even", () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      assert.equal(fp32ToFp16Bits(fp16BitsToFp32(h)), h);
    }
    assert.equal(fp32ToFp16Bits(Math.fround(1 + 2 ** -11)), 0x3c00); // tie: stays even
    assert.equal(fp32ToFp16Bits(Math.fround(1 + 3 * 2 ** -11)), 0x3c02); // tie: up to even
    assert.equal(fp32ToFp16Bits(1e6), 0x7c00);
    assert.equal(fp32ToFp16Bits(Number.NaN), 0x7e00);
  });

  it("nearest_int rounds half to even, as the 1.5 * 2^23 trick does", () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 3.49].map(nearestInt), [0, 2, 2, 0, -2, 3]);
  });

  it("encodes fast enough for multi-GB models", () => {
    const values = all.reduce((n, c) => n + c.values.length, 0) * TYPES.length;
    // Loose: catches an accidental per-value allocation, not a benchmark.
    assert.ok(encodeMs < 5000, `${values} values took ${encodeMs.toFixed(0)} ms`);
  });
});
