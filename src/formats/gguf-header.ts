import { NeedMoreBytes } from "./range-reader.js";
import type { TensorFileFacts } from "./safetensors-header.js";

/** ggml tensor types by id (ggml.h `enum ggml_type`). */
const GGML_TYPES: Record<number, string> = {
  0: "F32",
  1: "F16",
  2: "Q4_0",
  3: "Q4_1",
  6: "Q5_0",
  7: "Q5_1",
  8: "Q8_0",
  9: "Q8_1",
  10: "Q2_K",
  11: "Q3_K",
  12: "Q4_K",
  13: "Q5_K",
  14: "Q6_K",
  15: "Q8_K",
  16: "IQ2_XXS",
  17: "IQ2_XS",
  18: "IQ3_XXS",
  19: "IQ1_S",
  20: "IQ4_NL",
  21: "IQ3_S",
  22: "IQ2_S",
  23: "IQ4_XS",
  24: "I8",
  25: "I16",
  26: "I32",
  27: "I64",
  28: "F64",
  29: "IQ1_M",
  30: "BF16",
  34: "TQ1_0",
  35: "TQ2_0",
};

/** `general.file_type` values (llama.h `enum llama_ftype`), the quantisation a file is named by. */
const FILE_TYPES: Record<number, string> = {
  0: "F32",
  1: "F16",
  2: "Q4_0",
  3: "Q4_1",
  7: "Q8_0",
  8: "Q5_0",
  9: "Q5_1",
  10: "Q2_K",
  11: "Q3_K_S",
  12: "Q3_K_M",
  13: "Q3_K_L",
  14: "Q4_K_S",
  15: "Q4_K_M",
  16: "Q5_K_S",
  17: "Q5_K_M",
  18: "Q6_K",
  19: "IQ2_XXS",
  20: "IQ2_XS",
  21: "Q2_K_S",
  22: "IQ3_XS",
  23: "IQ3_XXS",
  24: "IQ1_S",
  25: "IQ4_NL",
  26: "IQ3_S",
  27: "IQ3_M",
  28: "IQ2_S",
  29: "IQ2_M",
  30: "IQ4_XS",
  31: "IQ1_M",
  32: "BF16",
  36: "TQ1_0",
  37: "TQ2_0",
};

export function fileTypeName(id: number): string | undefined {
  return FILE_TYPES[id];
}

/** A bounds-checked little-endian cursor; running off the end asks for more bytes. */
class Cursor {
  pos = 0;
  constructor(private readonly b: Buffer) {}
  private need(n: number) {
    if (this.pos + n > this.b.length) throw new NeedMoreBytes(this.pos + n);
  }
  u8() {
    this.need(1);
    return this.b.readUInt8(this.pos++);
  }
  u32() {
    this.need(4);
    const v = this.b.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  u64() {
    this.need(8);
    const v = this.b.readBigUInt64LE(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error("not a GGUF file: a count is implausibly large");
    return Number(v);
  }
  skip(n: number) {
    this.need(n);
    this.pos += n;
  }
  string() {
    const len = this.u64();
    if (len > 1 << 24) throw new Error("not a GGUF file: a string is implausibly long");
    this.need(len);
    const s = this.b.toString("utf8", this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
}

const SCALAR_SIZES: Record<number, number> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};

function readValue(c: Cursor, type: number): unknown {
  switch (type) {
    case 4:
      return c.u32();
    case 5: {
      const v = c.u32();
      return v | 0;
    }
    case 7:
      return c.u8() !== 0;
    case 8:
      return c.string();
    case 10:
      return c.u64();
    case 9: {
      const itemType = c.u32();
      const count = c.u64();
      // Arrays (vocabularies, merges) are summarised by length, not kept.
      if (itemType === 8) for (let i = 0; i < count; i++) c.string();
      else {
        const size = SCALAR_SIZES[itemType];
        if (size === undefined) throw new Error(`not a GGUF file: unknown array item type ${itemType}`);
        c.skip(size * count);
      }
      return { array: count };
    }
    default: {
      const size = SCALAR_SIZES[type];
      if (size === undefined) throw new Error(`not a GGUF file: unknown value type ${type}`);
      c.skip(size);
      return undefined;
    }
  }
}

/** The GGUF header (v2/v3): metadata key/values and tensor infos (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md). */
export function parseGgufHeader(
  head: Buffer,
): TensorFileFacts & { quantization?: string; architecture?: string } {
  const c = new Cursor(head);
  if (head.length < 4) throw new NeedMoreBytes(24);
  if (head.toString("latin1", 0, 4) !== "GGUF") throw new Error("not a GGUF file: no GGUF magic");
  c.skip(4);
  const version = c.u32();
  if (version < 2 || version > 3) throw new Error(`GGUF version ${version} is not supported (2 or 3)`);
  const tensorCount = c.u64();
  const kvCount = c.u64();
  const metadata: Record<string, unknown> = { "gguf.version": version };
  for (let i = 0; i < kvCount; i++) {
    const key = c.string();
    const value = readValue(c, c.u32());
    if (value !== undefined) metadata[key] = value;
  }
  const dtypes: Record<string, number> = {};
  let parameters = 0;
  for (let i = 0; i < tensorCount; i++) {
    c.string();
    const dims = c.u32();
    if (dims > 8) throw new Error("not a GGUF file: a tensor has more than 8 dimensions");
    let n = 1;
    for (let d = 0; d < dims; d++) n *= c.u64();
    const type = c.u32();
    c.u64();
    parameters += n;
    const name = GGML_TYPES[type] ?? `type${type}`;
    dtypes[name] = (dtypes[name] ?? 0) + 1;
  }
  const ft = metadata["general.file_type"];
  return {
    format: "gguf",
    tensors: tensorCount,
    parameters,
    dtypes,
    metadata,
    headerBytes: c.pos,
    quantization: typeof ft === "number" ? fileTypeName(ft) : undefined,
    architecture:
      typeof metadata["general.architecture"] === "string"
        ? (metadata["general.architecture"] as string)
        : undefined,
  };
}
