import { HubferryError } from "../../core/errors.js";
import { NeedMoreBytes } from "../../formats/range-reader.js";
import { type GgmlType, ggmlByteSize, ggmlTypeOfId } from "../ggml/types.js";
import { GGUF_VALUE_TYPES, type GgufScalarType, type GgufValue } from "./gguf-value.js";
import { padTo } from "./write-header.js";

/**
 * A GGUF v2/v3 header read whole (every value kept, arrays too), the reverse of write-header.ts:
 * the converter needs the vocabulary and every tensor's place. Bounds are checked as it goes;
 * running past the bytes given asks for more (NeedMoreBytes), so it reads over ranged requests.
 */
export interface GgufTensorPlace {
  name: string;
  /** ggml order (ne[0] first). */
  dims: number[];
  type: GgmlType;
  /** Absolute offset in the file, and the tensor's size. */
  offset: number;
  byteSize: number;
}

export interface GgufHeader {
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorPlace[];
  dataStart: number;
}

const TYPE_BY_ID = Object.fromEntries(Object.entries(GGUF_VALUE_TYPES).map(([k, v]) => [v, k])) as Record<
  number,
  keyof typeof GGUF_VALUE_TYPES
>;
const bad = (why: string) =>
  new HubferryError(
    "BAD_INPUT",
    `not a GGUF file hubferry can read: ${why}`,
    "check that the file is a complete GGUF (v2 or v3)",
  );

class Reader {
  pos = 0;
  private readonly view: DataView;
  private static readonly decoder = new TextDecoder("utf-8", { fatal: true });
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): number {
    if (this.pos + n > this.bytes.length) throw new NeedMoreBytes(this.pos + n);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  u64(): number {
    const v = this.view.getBigUint64(this.need(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad("a count is implausibly large");
    return Number(v);
  }
  string(): string {
    const length = this.u64();
    if (length > 1 << 26) throw bad("a string is implausibly long");
    const at = this.need(length);
    try {
      return Reader.decoder.decode(this.bytes.subarray(at, at + length));
    } catch {
      throw bad("a string is not UTF-8");
    }
  }
  scalar(type: GgufScalarType): number | bigint | boolean | string {
    const v = this.view;
    switch (type) {
      case "uint8":
        return v.getUint8(this.need(1));
      case "int8":
        return v.getInt8(this.need(1));
      case "uint16":
        return v.getUint16(this.need(2), true);
      case "int16":
        return v.getInt16(this.need(2), true);
      case "uint32":
        return v.getUint32(this.need(4), true);
      case "int32":
        return v.getInt32(this.need(4), true);
      case "float32":
        return v.getFloat32(this.need(4), true);
      case "bool":
        return v.getUint8(this.need(1)) !== 0;
      case "string":
        return this.string();
      case "uint64":
        return v.getBigUint64(this.need(8), true);
      case "int64":
        return v.getBigInt64(this.need(8), true);
      default:
        return v.getFloat64(this.need(8), true);
    }
  }
  value(): GgufValue {
    const type = TYPE_BY_ID[this.u32()];
    if (!type) throw bad("unknown value type");
    if (type !== "array") return { type, value: this.scalar(type) } as GgufValue;
    const itemType = TYPE_BY_ID[this.u32()];
    if (!itemType || itemType === "array") throw bad("unknown array item type");
    const count = this.u64();
    const values: Array<number | bigint | boolean | string> = [];
    for (let i = 0; i < count; i++) values.push(this.scalar(itemType));
    return { type: "array", itemType, values } as GgufValue;
  }
}

export function parseGguf(bytes: Uint8Array, fileSize: number): GgufHeader {
  const r = new Reader(bytes);
  if (r.u32() !== 0x46554747) throw bad("no GGUF magic");
  const version = r.u32();
  if (version !== 2 && version !== 3) throw bad(`version ${version}`);
  const tensorCount = r.u64();
  const kvCount = r.u64();
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = r.string();
    metadata.set(key, r.value());
  }
  const alignmentValue = metadata.get("general.alignment");
  const alignment = alignmentValue?.type === "uint32" ? alignmentValue.value : 32;
  const infos: Array<Omit<GgufTensorPlace, "offset"> & { relative: number }> = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = r.string();
    const nDims = r.u32();
    if (nDims < 1 || nDims > 4) throw bad(`tensor ${name} has ${nDims} dimensions`);
    const dims = Array.from({ length: nDims }, () => r.u64());
    const typeId = r.u32();
    const type = ggmlTypeOfId(typeId);
    if (!type)
      throw new HubferryError(
        "BAD_INPUT",
        `tensor ${name} is of ggml type ${typeId}, which the converter does not decode`,
        "convert a GGUF of F32, F16, BF16, Q4_0..Q8_0 or Q2_K..Q6_K tensors",
      );
    infos.push({
      name,
      dims,
      type,
      byteSize: ggmlByteSize(
        type,
        dims.reduce((a, b) => a * b, 1),
      ),
      relative: r.u64(),
    });
  }
  const dataStart = padTo(r.pos, alignment);
  const tensors = infos.map(({ relative, ...t }) => ({ ...t, offset: dataStart + relative }));
  for (const t of tensors)
    if (t.offset + t.byteSize > fileSize) throw bad(`tensor ${t.name} runs past the end of the file`);
  return { metadata, tensors, dataStart };
}
