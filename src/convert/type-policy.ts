import type { GgmlType } from "./ggml/types.js";
import { QUANTIZE_TYPES, type QuantizeType } from "./quantize-policy.js";

/**
 * Which ggml type each tensor gets, as convert_hf_to_gguf.py decides for its output types: 1-D
 * tensors, norms and anything that is not a `.weight` stay F32; the rest take the output type,
 * and a Q8_0 tensor whose rows are not whole 32-value blocks falls back to F16.
 */
export const CONVERT_TYPES = ["f32", "f16", "bf16", "q8_0"] as const;
export type ConvertType = (typeof CONVERT_TYPES)[number];

const TARGET: Record<ConvertType, GgmlType> = { f32: "F32", f16: "F16", bf16: "BF16", q8_0: "Q8_0" };

/** llama.h `llama_ftype` of each output type (`general.file_type`). */
export const FILE_TYPE: Record<ConvertType, number> = { f32: 0, f16: 1, q8_0: 7, bf16: 32 };

export function tensorType(ggufName: string, dims: readonly number[], out: ConvertType): GgmlType {
  if (dims.length <= 1 || ggufName.endsWith("_norm.weight")) return "F32";
  if (!ggufName.endsWith(".weight")) return "F32";
  const type = TARGET[out];
  if (type === "Q8_0" && (dims[0] as number) % 32 !== 0) return "F16";
  return type;
}

/** Every output type `convert --type` takes: the converter's own, then llama-quantize's mixes. */
export const OUTPUT_TYPES = [...CONVERT_TYPES, ...QUANTIZE_TYPES] as const;
export type OutputType = ConvertType | QuantizeType;

export function isConvertType(type: OutputType): type is ConvertType {
  return (CONVERT_TYPES as readonly string[]).includes(type);
}
