import { HubferryError } from "../../core/errors.js";
import type { JsonObject } from "../arch/hparams.js";
import type { GgufValue } from "../gguf/gguf-value.js";
import { FAMILY_CONFIG } from "./family-config.js";

/**
 * config.json rebuilt from a GGUF's metadata, with the fields transformers' own GGUF loader maps
 * (`GGUF_TO_TRANSFORMERS_MAPPING`) for the architectures the converter knows, and the family
 * fields llama.cpp reads that the loader leaves at their defaults (family-config.ts).
 */
const ARCHITECTURES: Record<string, { hf: string; modelType: string }> = {
  llama: { hf: "LlamaForCausalLM", modelType: "llama" },
  qwen2: { hf: "Qwen2ForCausalLM", modelType: "qwen2" },
  qwen3: { hf: "Qwen3ForCausalLM", modelType: "qwen3" },
  gemma: { hf: "GemmaForCausalLM", modelType: "gemma" },
  gemma2: { hf: "Gemma2ForCausalLM", modelType: "gemma2" },
  gemma3: { hf: "Gemma3ForCausalLM", modelType: "gemma3_text" },
  phi3: { hf: "Phi3ForCausalLM", modelType: "phi3" },
};

export const SAFETENSORS_ARCHITECTURES = Object.keys(ARCHITECTURES);

function scalar(meta: Map<string, GgufValue>, key: string): number | string | boolean | undefined {
  const v = meta.get(key);
  if (!v || v.type === "array") return undefined;
  return typeof v.value === "bigint" ? Number(v.value) : v.value;
}

/**
 * `vocabRows` is token_embd's row count: the model's real vocabulary size (gemma3 cuts rows past
 * the tokenizer, so the GGUF's token list can be longer).
 */
export function hfConfig(
  meta: Map<string, GgufValue>,
  opts: { tied: boolean; dtype: string; vocabRows?: number },
): JsonObject {
  const arch = scalar(meta, "general.architecture");
  const known = typeof arch === "string" ? ARCHITECTURES[arch] : undefined;
  if (!known)
    throw new HubferryError(
      "BAD_INPUT",
      `the GGUF's architecture is ${String(arch)}, which the converter does not turn back into safetensors yet`,
      `supported: ${SAFETENSORS_ARCHITECTURES.join(", ")}`,
    );
  const k = (name: string) => scalar(meta, `${arch}.${name}`);
  const tokens = meta.get("tokenizer.ggml.tokens");
  const config: JsonObject = {
    architectures: [known.hf],
    model_type: known.modelType,
    hidden_size: Number(k("embedding_length")),
    intermediate_size: Number(k("feed_forward_length")),
    num_hidden_layers: Number(k("block_count")),
    num_attention_heads: Number(k("attention.head_count")),
    num_key_value_heads: Number(k("attention.head_count_kv") ?? k("attention.head_count")),
    max_position_embeddings: Number(k("context_length")),
    rms_norm_eps: Number(k("attention.layer_norm_rms_epsilon") ?? 1e-6),
    rope_theta: Number(k("rope.freq_base") ?? 10000),
    vocab_size: Number(
      k("vocab_size") ?? opts.vocabRows ?? (tokens?.type === "array" ? tokens.values.length : 0),
    ),
    tie_word_embeddings: opts.tied,
    torch_dtype: opts.dtype,
  };
  const headDim = k("attention.key_length");
  if (headDim !== undefined) config.head_dim = Number(headDim);
  if (k("rope.scaling.type") === "linear")
    config.rope_scaling = { type: "linear", factor: Number(k("rope.scaling.factor")) };
  FAMILY_CONFIG[String(arch)]?.(k, config);
  for (const [key, field] of [
    ["tokenizer.ggml.bos_token_id", "bos_token_id"],
    ["tokenizer.ggml.eos_token_id", "eos_token_id"],
    ["tokenizer.ggml.padding_token_id", "pad_token_id"],
  ] as const) {
    const id = scalar(meta, key);
    if (typeof id === "number") config[field] = id;
  }
  return config;
}
