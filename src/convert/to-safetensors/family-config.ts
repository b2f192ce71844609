import type { JsonObject } from "../arch/hparams.js";

/**
 * The config.json fields a family needs beyond the common ones, read from the GGUF keys as
 * llama.cpp reads them, so that transformers runs the model llama.cpp would run. `k` reads one
 * `<arch>.` key.
 */
type Key = (name: string) => number | string | boolean | undefined;

/** llama.cpp scales gemma's queries by 1/sqrt(head_dim), by 1/sqrt(hidden/heads) for the 27B ones. */
function queryScalar(k: Key, layers27B: number): number {
  if (Number(k("block_count")) === layers27B)
    return Number(k("embedding_length")) / Number(k("attention.head_count"));
  return Number(k("attention.key_length"));
}

function gemma2(k: Key, config: JsonObject): void {
  config.query_pre_attn_scalar = queryScalar(k, 46);
  for (const [key, field] of [
    ["attn_logit_softcapping", "attn_logit_softcapping"],
    ["final_logit_softcapping", "final_logit_softcapping"],
    ["attention.sliding_window", "sliding_window"],
  ] as const) {
    const value = k(key);
    if (value !== undefined) config[field] = Number(value);
  }
}

function gemma3(k: Key, config: JsonObject): void {
  config.query_pre_attn_scalar = queryScalar(k, 62);
  const window = k("attention.sliding_window");
  if (window !== undefined) config.sliding_window = Number(window);
  const local = k("rope.freq_base_swa");
  if (local !== undefined) config.rope_local_base_freq = Number(local);
  const softcap = k("final_logit_softcapping");
  config.final_logit_softcapping = softcap === undefined ? null : Number(softcap);
}

function phi3(k: Key, config: JsonObject): void {
  const hidden = Number(k("embedding_length"));
  const heads = Number(k("attention.head_count"));
  const ropeDims = k("rope.dimension_count");
  if (ropeDims !== undefined) config.partial_rotary_factor = (Number(ropeDims) * heads) / hidden;
  const original = k("rope.scaling.original_context_length");
  if (original !== undefined) config.original_max_position_embeddings = Number(original);
  // llama.cpp's 0 means no sliding window (Phi-4); transformers says null.
  const window = Number(k("attention.sliding_window") ?? 0);
  config.sliding_window = window > 0 ? window : null;
}

export const FAMILY_CONFIG: Record<string, (k: Key, config: JsonObject) => void> = {
  gemma2,
  gemma3,
  phi3,
};
