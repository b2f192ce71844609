import { HubferryError } from "../../core/errors.js";

/**
 * A checkpoint's config.json, read as llama.cpp's converter reads it: a multimodal `text_config` is
 * lifted to the top, values are found by the first of several names, and the rope parameters are
 * gathered in one place whichever spelling the config uses.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export class HParams {
  readonly values: JsonObject;
  readonly rope: JsonObject;

  constructor(config: JsonObject) {
    const text = config.text_config;
    this.values =
      text && typeof text === "object" && !Array.isArray(text) ? { ...config, ...text } : { ...config };
    const rope = this.values.rope_parameters ?? this.values.rope_scaling;
    this.rope = rope && typeof rope === "object" && !Array.isArray(rope) ? { ...rope } : {};
    this.mirrorGlobalRope();
  }

  /** The first of `keys` the config has (upstream's `find_hparam`). */
  find(keys: readonly string[]): Json | undefined {
    for (const key of keys) if (key in this.values) return this.values[key];
    return undefined;
  }

  /** Like find, for a value the model cannot be converted without. */
  require(keys: readonly string[]): Json {
    const value = this.find(keys);
    if (value === undefined)
      throw new HubferryError(
        "BAD_INPUT",
        `config.json has none of ${keys.join(", ")}`,
        "check that the source holds a complete Hugging Face checkpoint",
      );
    return value;
  }

  int(keys: readonly string[]): number | undefined {
    const value = this.find(keys);
    return typeof value === "number" ? value : undefined;
  }

  private mirrorGlobalRope(): void {
    const r = this.rope;
    if ("full_attention" in r || "sliding_attention" in r) return;
    const local = this.find([
      "local_rope_theta",
      "rope_local_theta",
      "rope_theta_local",
      "swa_rope_theta",
      "rope_local_base_freq",
    ]);
    const theta = this.find([
      "global_rope_theta",
      "rope_global_theta",
      "rope_theta_global",
      "rope_theta",
      "rotary_emb_base",
    ]);
    const partial = this.find(["partial_rotary_factor", "rope_pct", "rope_percent"]);
    const original = this.find(["original_max_position_embeddings"]);
    if (local !== undefined && local !== null) r.sliding_attention = { rope_theta: local };
    if (!("rope_theta" in r) && theta !== undefined && theta !== null) r.rope_theta = theta;
    if (!("rope_type" in r) && r.type !== undefined && r.type !== null) r.rope_type = r.type;
    if (!("partial_rotary_factor" in r) && partial !== undefined && partial !== null)
      r.partial_rotary_factor = partial;
    if (!("original_max_position_embeddings" in r) && original !== undefined && original !== null)
      r.original_max_position_embeddings = original;
  }

  /** The rope parameters of full attention (the same object when the config has one kind). */
  fullAttentionRope(): JsonObject {
    const full = this.rope.full_attention;
    return full && typeof full === "object" && !Array.isArray(full) ? full : this.rope;
  }
}
