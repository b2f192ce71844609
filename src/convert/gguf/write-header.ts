import { GGML_TYPES, type GgmlType, ggmlByteSize } from "../ggml/types.js";
import { GGUF_VALUE_TYPES, type GgufMetadata, type GgufScalarType, type GgufValue } from "./gguf-value.js";

/**
 * The GGUF v3 header, laid out as gguf-py's GGUFWriter writes it: magic, version, counts, the
 * metadata, the tensor infos (dims in ggml order, ne0 first), then zeros up to the alignment. Every
 * tensor's data offset is known here, before any tensor is read, which is what lets a conversion
 * stream: header first, then each tensor's bytes and its padding, in order.
 */
export const GGUF_DEFAULT_ALIGNMENT = 32;

export interface GgufTensorInfo {
  name: string;
  /** ggml order: ne[0] is the row length (torch's shape reversed). */
  dims: readonly number[];
  type: GgmlType;
}

export interface GgufLayout {
  header: Uint8Array;
  /** Each tensor's data offset from the start of the data section, and its size in bytes. */
  tensors: Array<{ offset: number; byteSize: number; padding: number }>;
  /** Bytes of the whole file. */
  fileSize: number;
}

const SCALAR_SIZES: Record<GgufScalarType, number> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  bool: 1,
  string: 0,
  uint64: 8,
  int64: 8,
  float64: 8,
};

export function padTo(size: number, alignment: number): number {
  return Math.ceil(size / alignment) * alignment;
}

class ByteWriter {
  private buffer = new Uint8Array(1 << 16);
  private view = new DataView(this.buffer.buffer);
  length = 0;
  private static readonly encoder = new TextEncoder();

  private reserve(bytes: number): number {
    if (this.length + bytes > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + bytes));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.length;
    this.length += bytes;
    return at;
  }

  u32(value: number): void {
    this.view.setUint32(this.reserve(4), value, true);
  }

  u64(value: number | bigint): void {
    this.view.setBigUint64(this.reserve(8), BigInt(value), true);
  }

  string(value: string): void {
    const bytes = ByteWriter.encoder.encode(value);
    this.u64(bytes.length);
    this.buffer.set(bytes, this.reserve(bytes.length));
  }

  scalar(type: GgufScalarType, value: number | bigint | boolean | string): void {
    if (type === "string") {
      this.string(value as string);
      return;
    }
    const at = this.reserve(SCALAR_SIZES[type]);
    const v = this.view;
    if (type === "uint8") v.setUint8(at, value as number);
    else if (type === "int8") v.setInt8(at, value as number);
    else if (type === "uint16") v.setUint16(at, value as number, true);
    else if (type === "int16") v.setInt16(at, value as number, true);
    else if (type === "uint32") v.setUint32(at, value as number, true);
    else if (type === "int32") v.setInt32(at, value as number, true);
    else if (type === "float32") v.setFloat32(at, value as number, true);
    else if (type === "bool") v.setUint8(at, value ? 1 : 0);
    else if (type === "uint64") v.setBigUint64(at, value as bigint, true);
    else if (type === "int64") v.setBigInt64(at, value as bigint, true);
    else v.setFloat64(at, value as number, true);
  }

  value(entry: GgufValue): void {
    this.u32(GGUF_VALUE_TYPES[entry.type]);
    if (entry.type !== "array") {
      this.scalar(entry.type, entry.value);
      return;
    }
    this.u32(GGUF_VALUE_TYPES[entry.itemType]);
    this.u64(entry.values.length);
    for (let i = 0; i < entry.values.length; i++)
      this.scalar(entry.itemType, entry.values[i] as number | boolean | string);
  }

  zeros(count: number): void {
    this.reserve(count);
  }

  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** The header bytes and where each tensor goes. Tensor element counts must be whole blocks. */
export function layOutGguf(
  metadata: GgufMetadata,
  tensors: readonly GgufTensorInfo[],
  alignment = GGUF_DEFAULT_ALIGNMENT,
): GgufLayout {
  const out = new ByteWriter();
  out.u32(0x46554747); // "GGUF"
  out.u32(3);
  out.u64(tensors.length);
  out.u64(metadata.length);
  for (const [key, value] of metadata) {
    out.string(key);
    out.value(value);
  }
  const placed: GgufLayout["tensors"] = [];
  let offset = 0;
  for (const tensor of tensors) {
    const count = tensor.dims.reduce((a, b) => a * b, 1);
    const byteSize = ggmlByteSize(tensor.type, count);
    out.string(tensor.name);
    out.u32(tensor.dims.length);
    for (const dim of tensor.dims) out.u64(dim);
    out.u32(GGML_TYPES[tensor.type].id);
    out.u64(offset);
    const padded = padTo(byteSize, alignment);
    placed.push({ offset, byteSize, padding: padded - byteSize });
    offset += padded;
  }
  out.zeros(padTo(out.length, alignment) - out.length);
  return { header: out.bytes(), tensors: placed, fileSize: out.length + offset };
}
