import { GGML_TYPES, type GgmlType } from "./ggml/types.js";

/**
 * The quantization mixes of llama-quantize (llama.cpp `llama-quant.cpp`, without an importance
 * matrix, for dense models: no experts, not falcon): which ggml type each tensor gets, the
 * per-layer "more bits" rules of the _M mixes, and the fallbacks for rows that are not whole
 * blocks. Its input is the model at F32, so the values quantized are the source's own.
 */
export const QUANTIZE_TYPES = [
  "q4_0",
  "q4_1",
  "q5_0",
  "q5_1",
  "q2_k",
  "q3_k_s",
  "q3_k_m",
  "q3_k_l",
  "q4_k_s",
  "q4_k_m",
  "q5_k_s",
  "q5_k_m",
  "q6_k",
] as const;
export type QuantizeType = (typeof QUANTIZE_TYPES)[number];

/** llama.h `llama_ftype`, and the mix's default tensor type. */
export const QUANTIZE_FTYPE: Record<QuantizeType, { ftype: number; base: GgmlType }> = {
  q4_0: { ftype: 2, base: "Q4_0" },
  q4_1: { ftype: 3, base: "Q4_1" },
  q5_0: { ftype: 8, base: "Q5_0" },
  q5_1: { ftype: 9, base: "Q5_1" },
  q2_k: { ftype: 10, base: "Q2_K" },
  q3_k_s: { ftype: 11, base: "Q3_K" },
  q3_k_m: { ftype: 12, base: "Q3_K" },
  q3_k_l: { ftype: 13, base: "Q3_K" },
  q4_k_s: { ftype: 14, base: "Q4_K" },
  q4_k_m: { ftype: 15, base: "Q4_K" },
  q5_k_s: { ftype: 16, base: "Q5_K" },
  q5_k_m: { ftype: 17, base: "Q5_K" },
  q6_k: { ftype: 18, base: "Q6_K" },
};

export interface ModelShape {
  layers: number;
  heads: number;
  kvHeads: number;
  /** llama.cpp's LLM_TYPE_70B: attn_v gets Q5_K where the mix says Q3_K or Q4_K. */
  is70B: boolean;
}

export interface PolicyTensor {
  name: string;
  dims: readonly number[];
}

/** llama-quantize's tensor order: by block number (non-block tensors first), then by name. */
export function quantizeOrder(a: PolicyTensor, b: PolicyTensor): number {
  const layer = (n: string) => {
    const m = /^blk\.(\d+)\./.exec(n);
    return m ? Number(m[1]) : -1;
  };
  const d = layer(a.name) - layer(b.name);
  if (d !== 0) return d;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Whether llama-quantize quantizes a tensor at all (else it keeps the input's F32). */
export function allowsQuantization(t: PolicyTensor): boolean {
  if (t.dims.length < 2) return false;
  const n = t.name;
  if (!n.endsWith("weight") || n.includes("_norm.weight") || n.includes("ffn_gate_inp.weight")) return false;
  return ![
    "altup",
    "laurel",
    "per_layer_model_proj",
    "ssm_conv1d",
    "attn_rel_b.weight",
    ".position_embd",
  ].some((s) => n.includes(s));
}

type Category =
  | "output"
  | "token_embd"
  | "attn_v"
  | "attn_k"
  | "attn_q"
  | "attn_output"
  | "ffn_up"
  | "ffn_gate"
  | "ffn_down"
  | "other";

/**
 * llama-quant.cpp's categories. Its rules look at the architecture only for falcon and experts,
 * so gemma and phi3 follow the same ones: a tied token_embd (gemma) takes the output's type, and
 * a fused attn_qkv (phi3) counts as attn_v. llama.cpp also has an attn_qkv branch (Q5_K for
 * Q4_K_M), but it comes after the attn_v one that already takes attn_qkv, so it never runs.
 */
function categoryOf(name: string): Category {
  if (name === "output.weight") return "output";
  if (name === "token_embd.weight") return "token_embd";
  if (name.includes("attn_qkv.weight") || name.includes("attn_kv_b.weight") || name.includes("attn_v.weight"))
    return "attn_v";
  if (name.includes("attn_k.weight")) return "attn_k";
  if (name.includes("attn_q.weight")) return "attn_q";
  if (name.includes("attn_output.weight")) return "attn_output";
  if (name.includes("ffn_up")) return "ffn_up";
  if (name.includes("ffn_gate")) return "ffn_gate";
  if (name.includes("ffn_down")) return "ffn_down";
  return "other";
}

const moreBits = (i: number, n: number) =>
  i < Math.trunc(n / 8) || i >= Math.trunc((7 * n) / 8) || (i - Math.trunc(n / 8)) % 3 === 2;

/** A row length that is not whole blocks of the type: the type llama-quantize falls back to. */
function fallback(type: GgmlType, rowLength: number): GgmlType {
  const block = GGML_TYPES[type].blockSize;
  if (rowLength % block === 0) return type;
  const next: Partial<Record<GgmlType, GgmlType>> = {
    Q2_K: "Q4_0",
    Q3_K: "Q4_0",
    Q4_K: "Q5_0",
    Q5_K: "Q5_1",
    Q6_K: "Q8_0",
  };
  const to = next[type] ?? type;
  return rowLength % GGML_TYPES[to].blockSize === 0 ? to : "F16";
}

/** The type of every tensor, given in llama-quantize's order (the layer counters depend on it). */
export function quantizeTypes(
  tensors: readonly PolicyTensor[],
  mix: QuantizeType,
  shape: ModelShape,
): GgmlType[] {
  const base = QUANTIZE_FTYPE[mix].base;
  const tied = !tensors.some((t) => t.name === "output.weight");
  const nAttnV = tensors.filter((t) => categoryOf(t.name) === "attn_v").length;
  const gqa = shape.heads / shape.kvHeads;
  const counters = { attnV: 0, ffnDown: 0 };
  return tensors.map((t) => {
    if (!allowsQuantization(t)) return "F32";
    const category = categoryOf(t.name);
    const rowLength = t.dims[0] as number;
    let type = base;
    if (category === "output" || (tied && category === "token_embd")) {
      if (rowLength % GGML_TYPES[base].blockSize !== 0) type = "Q8_0";
      else if (base !== "Q8_0") type = "Q6_K";
    } else if (category === "attn_v") {
      type = attnVType(mix, base, counters.attnV, nAttnV, gqa);
      if (shape.is70B && (type === "Q3_K" || type === "Q4_K")) type = "Q5_K";
      counters.attnV++;
    } else if (category === "ffn_down") {
      type = ffnDownType(mix, base, counters.ffnDown, shape.layers);
      counters.ffnDown++;
    } else if (category === "attn_output") {
      type =
        ({ q2_k: "Q3_K", q3_k_m: "Q4_K", q3_k_l: "Q5_K" } as Partial<Record<QuantizeType, GgmlType>>)[mix] ??
        base;
    }
    return fallback(type, rowLength);
  });
}

function attnVType(mix: QuantizeType, base: GgmlType, i: number, n: number, gqa: number): GgmlType {
  if (mix === "q2_k") return gqa >= 4 ? "Q4_K" : "Q3_K";
  if (mix === "q3_k_m") return i < 2 ? "Q5_K" : "Q4_K";
  if (mix === "q3_k_l") return "Q5_K";
  if ((mix === "q4_k_m" || mix === "q5_k_m") && moreBits(i, n)) return "Q6_K";
  if (mix === "q4_k_s" && i < 4) return "Q5_K";
  return base;
}

function ffnDownType(mix: QuantizeType, base: GgmlType, i: number, n: number): GgmlType {
  if (mix === "q2_k") return "Q3_K";
  if (mix === "q3_k_m") return i < Math.trunc(n / 16) ? "Q5_K" : "Q4_K";
  if (mix === "q3_k_l") return "Q5_K";
  if (mix === "q4_k_m" && moreBits(i, n)) return "Q6_K";
  if (mix === "q5_k_m" && moreBits(i, n)) return "Q6_K";
  if (mix === "q4_k_s" && i < Math.trunc(n / 8)) return "Q5_K";
  return base;
}
