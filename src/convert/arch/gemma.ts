import { gguf } from "../gguf/gguf-value.js";
import type { Architecture } from "./architecture.js";
import type { HParams, Json } from "./hparams.js";
import { type KvList, textModelKv } from "./text-model-kv.js";

/**
 * Google's gemma 1, 2 and 3 (text), as llama.cpp's conversion/gemma.py writes them. All three add 1
 * to every `*norm.weight` (HF's Gemma RMSNorm multiplies by 1 + w). Gemma 1 and 2 write their own
 * key list rather than the common one, and drop lm_head; gemma 2 adds softcapping and the sliding
 * window; gemma 3 writes the common keys, re-sets some with its defaults, and cuts token_embd to
 * the tokenizer's real vocabulary.
 */
const u32 = (v: Json) => gguf.u32(Number(v));
const f32 = (v: Json) => gguf.f32(Number(v));

/** Gemma 1/2's own keys: upstream reads them as `hparams[key]`, so each one must be there. */
function gemmaBaseKv(arch: string, hp: HParams, blockCount: number, fileType: number): KvList {
  const need = (key: string) => hp.require([key]);
  const heads = need("num_attention_heads");
  return [
    [`${arch}.context_length`, u32(need("max_position_embeddings"))],
    [`${arch}.embedding_length`, u32(need("hidden_size"))],
    [`${arch}.block_count`, gguf.u32(blockCount)],
    [`${arch}.feed_forward_length`, u32(need("intermediate_size"))],
    [`${arch}.attention.head_count`, u32(heads)],
    [`${arch}.attention.head_count_kv`, u32(hp.values.num_key_value_heads ?? heads)],
    [`${arch}.attention.layer_norm_rms_epsilon`, f32(need("rms_norm_eps"))],
    [`${arch}.attention.key_length`, u32(need("head_dim"))],
    [`${arch}.attention.value_length`, u32(need("head_dim"))],
    ["general.file_type", gguf.u32(fileType)],
  ];
}

function gemma2Kv(hp: HParams, blockCount: number, fileType: number): KvList {
  return [
    ...gemmaBaseKv("gemma2", hp, blockCount, fileType),
    ["gemma2.attn_logit_softcapping", f32(hp.require(["attn_logit_softcapping"]))],
    ["gemma2.final_logit_softcapping", f32(hp.require(["final_logit_softcapping"]))],
    ["gemma2.attention.sliding_window", u32(hp.require(["sliding_window"]))],
  ];
}

/** The common keys, then gemma 3's: re-set keys keep their place, new ones are appended. */
function gemma3Kv(hp: HParams, blockCount: number, fileType: number, warnings: string[]): KvList {
  const v = hp.values;
  const or = (value: Json | undefined, fallback: number): Json => value ?? fallback;
  const headDim = or(v.head_dim, 256);
  const kv: KvList = [
    ...textModelKv("gemma3", hp, blockCount, fileType, warnings),
    ["gemma3.context_length", u32(or(v.max_position_embeddings, 131072))],
    ["gemma3.attention.head_count", u32(or(v.num_attention_heads, 8))],
    ["gemma3.attention.layer_norm_rms_epsilon", f32(or(v.rms_norm_eps, 1e-6))],
    ["gemma3.attention.key_length", u32(headDim)],
    ["gemma3.attention.value_length", u32(headDim)],
    ["gemma3.rope.freq_base", f32(or(hp.fullAttentionRope().rope_theta, 1_000_000))],
  ];
  // Python truthiness: a softcap of 0 or null is not written.
  if (v.final_logit_softcapping) kv.push(["gemma3.final_logit_softcapping", f32(v.final_logit_softcapping)]);
  if (v.sliding_window_pattern !== 1)
    kv.push(["gemma3.attention.sliding_window", u32(hp.require(["sliding_window"]))]);
  kv.push(["gemma3.attention.head_count_kv", u32(or(v.num_key_value_heads, 4))]);
  return kv;
}

const GEMMA_TENSORS = [
  "token_embd",
  "output_norm",
  "attn_norm",
  "attn_q",
  "attn_k",
  "attn_v",
  "attn_output",
  "ffn_gate",
  "ffn_down",
  "ffn_up",
];
/** Gemma 2/3's extra norms. Their pre-feed-forward norm is called ffn_norm in GGUF. */
const GEMMA2_TENSORS = [...GEMMA_TENSORS, "ffn_norm", "post_attention_norm", "post_ffw_norm"];

/** transformers 4.57's GemmaConfig / Gemma2Config defaults, for the fields upstream reads. */
const GEMMA_DEFAULTS = {
  vocab_size: 256000,
  hidden_size: 3072,
  intermediate_size: 24576,
  num_hidden_layers: 28,
  num_attention_heads: 16,
  num_key_value_heads: 16,
  head_dim: 256,
  max_position_embeddings: 8192,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
};
const GEMMA2_DEFAULTS = {
  ...GEMMA_DEFAULTS,
  hidden_size: 2304,
  intermediate_size: 9216,
  num_hidden_layers: 26,
  num_attention_heads: 8,
  num_key_value_heads: 4,
  attn_logit_softcapping: 50,
  final_logit_softcapping: 30,
  sliding_window: 4096,
  query_pre_attn_scalar: 256,
};

export const GEMMA: Architecture = {
  gguf: "gemma",
  tensors: new Set([...GEMMA_TENSORS, "ffn_norm"]),
  undoPermute: false,
  prefixModel: false,
  modelKv: (hp, blocks, fileType) => gemmaBaseKv("gemma", hp, blocks, fileType),
  configDefaults: GEMMA_DEFAULTS,
  vocab: "sentencepiece",
  afterSentencePiece: [
    ["tokenizer.ggml.eot_token_id", gguf.u32(107)],
    ["tokenizer.ggml.add_space_prefix", gguf.bool(false)],
  ],
  normShift: true,
  dropLmHead: true,
};

export const GEMMA2: Architecture = {
  ...GEMMA,
  gguf: "gemma2",
  tensors: new Set(GEMMA2_TENSORS),
  modelKv: gemma2Kv,
  configDefaults: GEMMA2_DEFAULTS,
  afterSentencePiece: [["tokenizer.ggml.add_space_prefix", gguf.bool(false)]],
};

/** transformers 4.57's Gemma3TextConfig defaults, for the fields upstream reads. */
const GEMMA3_TEXT_DEFAULTS = {
  vocab_size: 262208,
  hidden_size: 2304,
  intermediate_size: 9216,
  num_hidden_layers: 26,
  num_attention_heads: 8,
  num_key_value_heads: 4,
  head_dim: 256,
  max_position_embeddings: 131072,
  rms_norm_eps: 1e-6,
  rope_theta: 1_000_000,
  rope_local_base_freq: 10_000,
  sliding_window: 4096,
  final_logit_softcapping: null,
  attn_logit_softcapping: null,
  rope_scaling: null,
  query_pre_attn_scalar: 256,
};

export const GEMMA3: Architecture = {
  gguf: "gemma3",
  tensors: new Set([...GEMMA2_TENSORS, "output", "attn_q_norm", "attn_k_norm"]),
  undoPermute: false,
  prefixModel: false,
  modelKv: gemma3Kv,
  configDefaults: GEMMA3_TEXT_DEFAULTS,
  vocab: "gemma3",
  afterSentencePiece: [["tokenizer.ggml.add_space_prefix", gguf.bool(false)]],
  normShift: true,
  trimEmbeddings: true,
};
