import { z } from "zod";
import { NeedMoreBytes } from "./range-reader.js";

export interface TensorFileFacts {
  format: "safetensors" | "gguf";
  tensors: number;
  parameters: number;
  /** Tensor count per dtype, e.g. `{ BF16: 290, F32: 1 }`. */
  dtypes: Record<string, number>;
  metadata: Record<string, unknown>;
  /** Bytes of header before the tensor data. */
  headerBytes: number;
}

/** One tensor's entry in a safetensors header. */
export const SafetensorsTensorSchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().min(0)),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

/** The 8-byte length, the JSON header, and what it says (https://github.com/huggingface/safetensors). */
export function parseSafetensorsHeader(head: Buffer, fileSize: number): TensorFileFacts {
  if (head.length < 8) throw new NeedMoreBytes(8);
  const len = head.readBigUInt64LE(0);
  if (len < 2n || len > BigInt(Math.min(fileSize, 100_000_000)))
    throw new Error("not a safetensors file: its header length is out of range");
  const total = 8 + Number(len);
  if (head.length < total) throw new NeedMoreBytes(total);
  let json: unknown;
  try {
    json = JSON.parse(head.subarray(8, total).toString("utf8"));
  } catch {
    throw new Error("not a safetensors file: its header is not JSON");
  }
  if (!json || typeof json !== "object" || Array.isArray(json))
    throw new Error("not a safetensors file: its header is not a JSON object");
  const facts: TensorFileFacts = {
    format: "safetensors",
    tensors: 0,
    parameters: 0,
    dtypes: {},
    metadata: {},
    headerBytes: total,
  };
  for (const [name, value] of Object.entries(json)) {
    if (name === "__metadata__") {
      facts.metadata = (value ?? {}) as Record<string, unknown>;
      continue;
    }
    const t = SafetensorsTensorSchema.safeParse(value);
    if (!t.success) throw new Error(`not a safetensors file: tensor "${name}" is malformed`);
    facts.tensors++;
    facts.parameters += t.data.shape.reduce((a, b) => a * b, 1);
    facts.dtypes[t.data.dtype] = (facts.dtypes[t.data.dtype] ?? 0) + 1;
  }
  return facts;
}
