import { bf16BitsOfF32Bits, f16BitsOfF32Bits, halfBitsTable } from "./half.js";

/**
 * F32, F16 and BF16 tensors. GGUF is little-endian and so are the typed arrays of every host Node
 * runs on that we support; a big-endian host is refused here rather than written wrong.
 */
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
  throw new Error("hubferry's converter needs a little-endian host");

function bytesOf(array: Float32Array | Uint16Array | Uint32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** An aligned copy when the bytes do not start on a multiple of `unit` (typed arrays need it). */
function aligned(bytes: Uint8Array, unit: number): Uint8Array {
  if (bytes.byteOffset % unit === 0) return bytes;
  return new Uint8Array(bytes);
}

export function encodeF32(values: Float32Array): Uint8Array {
  return new Uint8Array(bytesOf(values));
}

export function decodeF32(bytes: Uint8Array): Float32Array {
  const source = aligned(bytes, 4);
  return new Float32Array(source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength));
}

export function encodeF16(values: Float32Array): Uint8Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f16BitsOfF32Bits(bits[i] as number);
  return bytesOf(out);
}

export function decodeF16(bytes: Uint8Array): Float32Array {
  const halves = new Uint16Array(aligned(bytes, 2).slice().buffer, 0, bytes.length >> 1);
  const table = halfBitsTable();
  const out = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = table[halves[i] as number] as number;
  return new Float32Array(out.buffer);
}

export function encodeBF16(values: Float32Array): Uint8Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = bf16BitsOfF32Bits(bits[i] as number);
  return bytesOf(out);
}

export function decodeBF16(bytes: Uint8Array): Float32Array {
  const halves = new Uint16Array(aligned(bytes, 2).slice().buffer, 0, bytes.length >> 1);
  const out = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = (halves[i] as number) << 16;
  return new Float32Array(out.buffer);
}
