import { decodeBF16, decodeF16, decodeF32, encodeBF16, encodeF16, encodeF32 } from "./float-codecs.js";
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
} from "./k-quants/index.js";
import { decodeQ4_0, decodeQ4_1, decodeQ5_0, decodeQ5_1, decodeQ8_0 } from "./legacy-quants-decode.js";
import { encodeQ4_0, encodeQ4_1, encodeQ5_0, encodeQ5_1, encodeQ8_0 } from "./legacy-quants-encode.js";
import type { Decoder, Encoder, GgmlType } from "./types.js";

/** Every codec the converter has, by type; a type without an encoder can be read, not written. */
export const ENCODERS: Partial<Record<GgmlType, Encoder>> = {
  F32: encodeF32,
  F16: encodeF16,
  BF16: encodeBF16,
  Q4_0: encodeQ4_0,
  Q4_1: encodeQ4_1,
  Q5_0: encodeQ5_0,
  Q5_1: encodeQ5_1,
  Q8_0: encodeQ8_0,
  Q2_K: encodeQ2K,
  Q3_K: encodeQ3K,
  Q4_K: encodeQ4K,
  Q5_K: encodeQ5K,
  Q6_K: encodeQ6K,
};

export const DECODERS: Partial<Record<GgmlType, Decoder>> = {
  F32: decodeF32,
  F16: decodeF16,
  BF16: decodeBF16,
  Q4_0: decodeQ4_0,
  Q4_1: decodeQ4_1,
  Q5_0: decodeQ5_0,
  Q5_1: decodeQ5_1,
  Q8_0: decodeQ8_0,
  Q2_K: decodeQ2K,
  Q3_K: decodeQ3K,
  Q4_K: decodeQ4K,
  Q5_K: decodeQ5K,
  Q6_K: decodeQ6K,
};

export function encoderFor(type: GgmlType): Encoder {
  const encode = ENCODERS[type];
  if (!encode) throw new Error(`no encoder for ${type}`);
  return encode;
}

export function decoderFor(type: GgmlType): Decoder {
  const decode = DECODERS[type];
  if (!decode) throw new Error(`no decoder for ${type}`);
  return decode;
}
