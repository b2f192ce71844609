import { f32ToF16Bits } from "./half.js";

/**
 * The 32-value block quantizers of ggml (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0), byte for byte as
 * ggml-quants.c's `quantize_row_*_ref` and gguf-py's numpy ports write them. Every step is rounded
 * to float32 (Math.fround) because the references compute in float32, and no step may be fused.
 */
const QK = 32;
const fr = Math.fround;

function putHalf(out: Uint8Array, at: number, value: number): void {
  const h = f32ToF16Bits(value);
  out[at] = h & 0xff;
  out[at + 1] = h >>> 8;
}

function blockCount(values: Float32Array): number {
  if (values.length % QK !== 0) throw new RangeError(`${values.length} values are not whole blocks of ${QK}`);
  return values.length / QK;
}

/** The signed value of largest magnitude (the first one on ties), as the references pick it. */
function signedAbsMax(values: Float32Array, start: number): number {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < QK; j++) {
    const v = values[start + j] as number;
    if (amax < Math.abs(v)) {
      amax = Math.abs(v);
      max = v;
    }
  }
  return max;
}

function minMax(values: Float32Array, start: number): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < QK; j++) {
    const v = values[start + j] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/** Symmetric 4- or 5-bit codes: q = trunc(x / d + offset + 0.5), clipped to the top code. */
function symmetricCodes(values: Float32Array, start: number, levels: number, codes: Uint8Array): number {
  const d = fr(signedAbsMax(values, start) / -levels);
  const id = d === 0 ? 0 : fr(1 / d);
  const bias = levels + 0.5;
  const top = 2 * levels - 1;
  for (let j = 0; j < QK; j++)
    codes[j] = Math.min(top, Math.trunc(fr(fr((values[start + j] as number) * id) + bias)));
  return d;
}

/** Affine 4- or 5-bit codes from the block's minimum: q = trunc((x - min) / d + 0.5). */
function affineCodes(values: Float32Array, start: number, top: number, codes: Uint8Array): [number, number] {
  const [min, max] = minMax(values, start);
  const d = fr(fr(max - min) / top);
  const id = d === 0 ? 0 : fr(1 / d);
  for (let j = 0; j < QK; j++)
    codes[j] = Math.min(top, Math.trunc(fr(fr(fr((values[start + j] as number) - min) * id) + 0.5)));
  return [d, min];
}

/** Low nibbles of codes 0..15 with codes 16..31 in the high nibbles, as ggml packs them. */
function packNibbles(codes: Uint8Array, out: Uint8Array, at: number): void {
  for (let j = 0; j < QK / 2; j++)
    out[at + j] = ((codes[j] as number) & 0x0f) | (((codes[j + QK / 2] as number) & 0x0f) << 4);
}

/** Bit 4 of each code, code j in bit j of a little-endian u32. */
function packHighBits(codes: Uint8Array, out: Uint8Array, at: number): void {
  for (let byte = 0; byte < 4; byte++) {
    let bits = 0;
    for (let b = 0; b < 8; b++) bits |= (((codes[byte * 8 + b] as number) >> 4) & 1) << b;
    out[at + byte] = bits;
  }
}

export function encodeQ4_0(values: Float32Array): Uint8Array {
  const blocks = blockCount(values);
  const out = new Uint8Array(blocks * 18);
  const codes = new Uint8Array(QK);
  for (let b = 0; b < blocks; b++) {
    putHalf(out, b * 18, symmetricCodes(values, b * QK, 8, codes));
    packNibbles(codes, out, b * 18 + 2);
  }
  return out;
}

export function encodeQ4_1(values: Float32Array): Uint8Array {
  const blocks = blockCount(values);
  const out = new Uint8Array(blocks * 20);
  const codes = new Uint8Array(QK);
  for (let b = 0; b < blocks; b++) {
    const [d, min] = affineCodes(values, b * QK, 15, codes);
    putHalf(out, b * 20, d);
    putHalf(out, b * 20 + 2, min);
    packNibbles(codes, out, b * 20 + 4);
  }
  return out;
}

export function encodeQ5_0(values: Float32Array): Uint8Array {
  const blocks = blockCount(values);
  const out = new Uint8Array(blocks * 22);
  const codes = new Uint8Array(QK);
  for (let b = 0; b < blocks; b++) {
    putHalf(out, b * 22, symmetricCodes(values, b * QK, 16, codes));
    packHighBits(codes, out, b * 22 + 2);
    packNibbles(codes, out, b * 22 + 6);
  }
  return out;
}

export function encodeQ5_1(values: Float32Array): Uint8Array {
  const blocks = blockCount(values);
  const out = new Uint8Array(blocks * 24);
  const codes = new Uint8Array(QK);
  for (let b = 0; b < blocks; b++) {
    const [d, min] = affineCodes(values, b * QK, 31, codes);
    putHalf(out, b * 24, d);
    putHalf(out, b * 24 + 2, min);
    packHighBits(codes, out, b * 24 + 4);
    packNibbles(codes, out, b * 24 + 8);
  }
  return out;
}

/** roundf: half away from zero (|x| + 0.5 is exact in a double, so floor gives it). */
function roundAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

export function encodeQ8_0(values: Float32Array): Uint8Array {
  const blocks = blockCount(values);
  const out = new Uint8Array(blocks * 34);
  for (let b = 0; b < blocks; b++) {
    const start = b * QK;
    let amax = 0;
    for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(values[start + j] as number));
    const d = fr(amax / 127);
    const id = d === 0 ? 0 : fr(1 / d);
    putHalf(out, b * 34, d);
    for (let j = 0; j < QK; j++)
      out[b * 34 + 2 + j] = roundAway(fr((values[start + j] as number) * id)) & 0xff;
  }
  return out;
}
