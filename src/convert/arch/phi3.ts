import { HubferryError } from "../../core/errors.js";
import { gguf } from "../gguf/gguf-value.js";
import type { Architecture, GeneratedTensor } from "./architecture.js";
import type { HParams } from "./hparams.js";
import type { KvList } from "./text-model-kv.js";

/**
 * Microsoft's Phi-3 / Phi-4-mini (`Phi3ForCausalLM`), as llama.cpp's conversion/phi.py writes it:
 * its own key list (not the common one), Q/K/V and gate/up kept fused as HF stores them
 * (attn_qkv, ffn_up), partial rotary dimensions, and for LongRoPE models two generated factor
 * tensors plus an attention factor key.
 */
function bad(message: string): HubferryError {
  return new HubferryError("BAD_INPUT", message, "check the checkpoint's config.json rope_scaling");
}

function ropeDims(hp: HParams): number {
  const hidden = Number(hp.require(["hidden_size", "n_embd"]));
  const heads = Number(hp.require(["num_attention_heads", "n_head"]));
  const partial = Number(hp.rope.partial_rotary_factor ?? 1);
  // Python's int(rot_pct * n_embd) // n_head.
  return Math.floor(Math.trunc(partial * hidden) / heads);
}

function originalContext(hp: HParams): number {
  const value = hp.rope.original_max_position_embeddings;
  if (value === undefined || value === null) throw bad("phi3 needs original_max_position_embeddings");
  return Number(value);
}

function phi3Kv(hp: HParams, blockCount: number, fileType: number): KvList {
  const need = (keys: string[]) => Number(hp.require(keys));
  const theta = hp.fullAttentionRope().rope_theta;
  if (theta === undefined || theta === null) throw bad("phi3 needs rope_theta");
  const window = hp.values.sliding_window;
  return [
    ["phi3.context_length", gguf.u32(need(["n_positions", "max_position_embeddings"]))],
    ["phi3.rope.scaling.original_context_length", gguf.u32(originalContext(hp))],
    ["phi3.embedding_length", gguf.u32(need(["hidden_size", "n_embd"]))],
    ["phi3.feed_forward_length", gguf.u32(need(["intermediate_size"]))],
    ["phi3.block_count", gguf.u32(blockCount)],
    ["phi3.attention.head_count", gguf.u32(need(["num_attention_heads", "n_head"]))],
    ["phi3.attention.head_count_kv", gguf.u32(need(["num_key_value_heads", "n_head_kv"]))],
    ["phi3.attention.layer_norm_rms_epsilon", gguf.f32(need(["rms_norm_eps"]))],
    ["phi3.rope.dimension_count", gguf.u32(ropeDims(hp))],
    ["phi3.rope.freq_base", gguf.f32(Number(theta))],
    ["general.file_type", gguf.u32(fileType)],
    // Zero tells Phi-4 (no sliding window) from the other phi3 models.
    ["phi3.attention.sliding_window", gguf.u32(window === undefined || window === null ? 0 : Number(window))],
  ];
}

function factors(hp: HParams): { long: number[]; short: number[] } | undefined {
  const long = hp.rope.long_factor;
  if (!Array.isArray(long) || long.length === 0) return undefined;
  const short = hp.rope.short_factor;
  if (!Array.isArray(short)) throw bad("phi3's rope_scaling has long_factor but no short_factor");
  const half = ropeDims(hp) / 2;
  if (long.length !== half || short.length !== half)
    throw bad(`phi3's rope factors must have ${half} values (long ${long.length}, short ${short.length})`);
  return { long: long.map(Number), short: short.map(Number) };
}

/** LongRoPE's (or YaRN's) attention factor, from the context it was stretched to. */
function phi3EarlyKv(hp: HParams): KvList {
  if (!factors(hp)) return [];
  const scale = Number(hp.require(["n_positions", "max_position_embeddings"])) / originalContext(hp);
  const type = String(hp.rope.rope_type ?? "").toLowerCase();
  let attn: number;
  if (type === "su" || type === "longrope")
    attn = scale > 1 ? Math.sqrt(1 + Math.log(scale) / Math.log(originalContext(hp))) : 1;
  else if (type === "yarn") attn = scale > 1 ? 0.1 * Math.log(scale) + 1 : 1;
  else throw bad(`phi3 rope scaling type "${type}" is not supported (longrope, su or yarn)`);
  return [["phi3.rope.scaling.attn_factor", gguf.f32(attn)]];
}

function phi3Factors(hp: HParams): GeneratedTensor[] {
  const f = factors(hp);
  if (!f) return [];
  return [
    { name: "rope_factors_long.weight", values: Float32Array.from(f.long) },
    { name: "rope_factors_short.weight", values: Float32Array.from(f.short) },
  ];
}

/** transformers 4.57's Phi3Config defaults, for the fields upstream reads. */
const PHI3_DEFAULTS = {
  vocab_size: 32064,
  hidden_size: 3072,
  intermediate_size: 8192,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  num_key_value_heads: 32,
  max_position_embeddings: 4096,
  original_max_position_embeddings: 4096,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  partial_rotary_factor: 1,
  sliding_window: null,
  rope_scaling: null,
};

export const PHI3: Architecture = {
  gguf: "phi3",
  tensors: new Set([
    "token_embd",
    "output_norm",
    "output",
    "rope_factors_long",
    "rope_factors_short",
    "attn_norm",
    "attn_qkv",
    "attn_q",
    "attn_k",
    "attn_v",
    "attn_output",
    "ffn_norm",
    "ffn_down",
    "ffn_up",
  ]),
  undoPermute: false,
  prefixModel: false,
  modelKv: phi3Kv,
  configDefaults: PHI3_DEFAULTS,
  earlyKv: phi3EarlyKv,
  generatedTensors: phi3Factors,
  vocab: "phi3",
};
