import { HubferryError } from "../../core/errors.js";
import { gguf } from "../gguf/gguf-value.js";
import type { HParams } from "./hparams.js";
import type { KvList } from "./text-model-kv.js";

/**
 * The Hugging Face architectures the converter supports, each as llama.cpp's converter treats it:
 * the GGUF architecture, the tensors it has, whether Q/K rows are permuted back from HF's
 * rotate-half layout, the extra keys it writes after the common ones, and how its vocabulary is read.
 */
export interface Architecture {
  gguf: "llama" | "qwen2" | "qwen3";
  /** GGUF base tensor names the architecture has (upstream MODEL_TENSORS). */
  tensors: ReadonlySet<string>;
  undoPermute: boolean;
  /** HF names that lack the "model." prefix upstream adds (the bare `LlamaModel` / `Qwen2Model`). */
  prefixModel: boolean;
  extraKv(hp: HParams): KvList;
  /** llama: SentencePiece, then a Llama HF tokenizer, then BPE; qwen: SentencePiece, then BPE. */
  vocab: "llama" | "qwen";
}

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

function llamaExtraKv(hp: HParams): KvList {
  const hidden = Number(hp.values.hidden_size);
  const heads = Number(hp.values.num_attention_heads);
  const headDim = hp.values.head_dim;
  const ropeDim = headDim === undefined || headDim === null ? Math.floor(hidden / heads) : Number(headDim);
  return [
    ["llama.vocab_size", gguf.u32(Number(hp.values.vocab_size))],
    ["llama.rope.dimension_count", gguf.u32(ropeDim)],
  ];
}

const LLAMA: Architecture = {
  gguf: "llama",
  tensors: new Set([...BASE, "rope_freqs"]),
  undoPermute: true,
  prefixModel: false,
  extraKv: llamaExtraKv,
  vocab: "llama",
};
const QWEN2: Architecture = {
  gguf: "qwen2",
  tensors: new Set(BASE),
  undoPermute: false,
  prefixModel: false,
  extraKv: () => [],
  vocab: "qwen",
};
const QWEN3: Architecture = {
  ...QWEN2,
  gguf: "qwen3",
  tensors: new Set([...BASE, "attn_q_norm", "attn_k_norm"]),
};

const BY_HF_NAME: Record<string, Architecture> = {
  LlamaForCausalLM: LLAMA,
  LLaMAForCausalLM: LLAMA,
  MistralForCausalLM: LLAMA,
  LlamaModel: { ...LLAMA, prefixModel: true },
  Qwen2ForCausalLM: QWEN2,
  Qwen2Model: { ...QWEN2, prefixModel: true },
  Qwen3ForCausalLM: QWEN3,
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
