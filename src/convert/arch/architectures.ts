import { HubferryError } from "../../core/errors.js";
import { gguf } from "../gguf/gguf-value.js";
import type { Architecture, GeneratedTensor } from "./architecture.js";
import { GEMMA, GEMMA2, GEMMA3 } from "./gemma.js";
import type { HParams } from "./hparams.js";
import { PHI3 } from "./phi3.js";
import { llama3RopeFactors } from "./rope-freqs.js";
import { type KvList, textModelKv } from "./text-model-kv.js";

/**
 * The Hugging Face architectures the converter supports, by the name config.json gives, each as
 * llama.cpp's converter treats it (see Architecture). Llama and Qwen live here; the gemma and phi3
 * families in files of their own.
 */
export type { Architecture } from "./architecture.js";

const BASE = [
  "token_embd",
  "output_norm",
  "output",
  "attn_norm",
  "attn_q",
  "attn_k",
  "attn_v",
  "attn_output",
  "ffn_norm",
  "ffn_gate",
  "ffn_up",
  "ffn_down",
];

function llamaHeadDim(hp: HParams): number {
  const headDim = hp.values.head_dim;
  if (headDim !== undefined && headDim !== null) return Number(headDim);
  return Math.floor(Number(hp.values.hidden_size) / Number(hp.values.num_attention_heads));
}

function llamaKv(hp: HParams, blockCount: number, fileType: number, warnings: string[]): KvList {
  return [
    ...textModelKv("llama", hp, blockCount, fileType, warnings),
    ["llama.vocab_size", gguf.u32(Number(hp.values.vocab_size))],
    ["llama.rope.dimension_count", gguf.u32(llamaHeadDim(hp))],
  ];
}

/** Llama 3's rope scaling is a tensor of per-frequency factors, not keys. */
function llamaRopeFreqs(hp: HParams): GeneratedTensor[] {
  const rope = hp.fullAttentionRope();
  if (typeof rope.rope_type !== "string" || rope.rope_type.toLowerCase() !== "llama3") return [];
  return [{ name: "rope_freqs.weight", values: llama3RopeFactors(rope, llamaHeadDim(hp)) }];
}

const LLAMA: Architecture = {
  gguf: "llama",
  tensors: new Set([...BASE, "rope_freqs"]),
  undoPermute: true,
  prefixModel: false,
  modelKv: llamaKv,
  generatedTensors: llamaRopeFreqs,
  vocab: "llama",
};
const QWEN2: Architecture = {
  gguf: "qwen2",
  tensors: new Set(BASE),
  undoPermute: false,
  prefixModel: false,
  modelKv: (hp, blocks, fileType, warnings) => textModelKv("qwen2", hp, blocks, fileType, warnings),
  vocab: "qwen",
};
const QWEN3: Architecture = {
  ...QWEN2,
  gguf: "qwen3",
  tensors: new Set([...BASE, "attn_q_norm", "attn_k_norm"]),
  modelKv: (hp, blocks, fileType, warnings) => textModelKv("qwen3", hp, blocks, fileType, warnings),
};

const BY_HF_NAME: Record<string, Architecture> = {
  LlamaForCausalLM: LLAMA,
  LLaMAForCausalLM: LLAMA,
  MistralForCausalLM: LLAMA,
  LlamaModel: { ...LLAMA, prefixModel: true },
  Qwen2ForCausalLM: QWEN2,
  Qwen2Model: { ...QWEN2, prefixModel: true },
  Qwen3ForCausalLM: QWEN3,
  GemmaForCausalLM: GEMMA,
  Gemma2ForCausalLM: GEMMA2,
  Gemma3ForCausalLM: GEMMA3,
  // The text part only, as upstream's text conversion (the vision tower is its mmproj file).
  Gemma3ForConditionalGeneration: GEMMA3,
  Phi3ForCausalLM: PHI3,
};

export const SUPPORTED_ARCHITECTURES = Object.keys(BY_HF_NAME);

/** The architecture config.json names (its first `architectures` entry, a text_config's first). */
export function architectureOf(raw: Record<string, unknown>): { hfName: string; arch: Architecture } {
  const text = raw.text_config as { architectures?: unknown } | undefined;
  const list = (Array.isArray(text?.architectures) ? text.architectures : raw.architectures) as unknown;
  const hfName = Array.isArray(list) && typeof list[0] === "string" ? list[0] : undefined;
  if (!hfName)
    throw new HubferryError(
      "BAD_INPUT",
      "config.json names no architecture (its `architectures` list is missing)",
      "convert a transformers checkpoint saved with save_pretrained",
    );
  const arch = BY_HF_NAME[hfName];
  if (!arch)
    throw new HubferryError(
      "BAD_INPUT",
      `the converter does not support ${hfName} yet`,
      `supported: ${SUPPORTED_ARCHITECTURES.join(", ")}; for others use llama.cpp's convert_hf_to_gguf.py`,
    );
  return { hfName, arch };
}
