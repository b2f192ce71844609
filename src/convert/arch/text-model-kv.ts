import { type GgufValue, gguf } from "../gguf/gguf-value.js";
import type { HParams, Json } from "./hparams.js";

/**
 * The model parameters every decoder-only text model writes (upstream `TextModel.
 * set_gguf_parameters`), in its order and with its value types: counts as u32 (lists as i32
 * arrays), epsilons and rope values as f32, the file type last.
 */
export type KvList = Array<[string, GgufValue]>;

function countValue(value: Json): GgufValue {
  if (Array.isArray(value)) return gguf.i32s(value.map(Number));
  return gguf.u32(Number(value));
}

function present(value: Json | undefined): value is Json {
  return value !== undefined && value !== null;
}

function ropeScaling(arch: string, hp: HParams, kv: KvList, warnings: string[]): void {
  const rope = hp.fullAttentionRope();
  const type = rope.rope_type;
  if (typeof type !== "string") return;
  const factor = rope.factor;
  const key = (name: string) => `${arch}.rope.scaling.${name}`;
  if (type === "linear" && typeof factor === "number") {
    kv.push([key("type"), gguf.str("linear")], [key("factor"), gguf.f32(factor)]);
  } else if (type === "yarn" && typeof factor === "number") {
    kv.push([key("type"), gguf.str("yarn")], [key("factor"), gguf.f32(factor)]);
    kv.push([key("original_context_length"), gguf.u32(Number(rope.original_max_position_embeddings))]);
    const attn = rope.attention_factor ?? rope.attn_factor;
    for (const [name, value] of [
      ["yarn_ext_factor", rope.extrapolation_factor],
      ["yarn_attn_factor", attn],
      ["yarn_beta_fast", rope.beta_fast],
      ["yarn_beta_slow", rope.beta_slow],
    ] as const)
      if (present(value)) kv.push([key(name), gguf.f32(Number(value))]);
  } else if (type === "su" || type === "longrope") {
    kv.push([key("type"), gguf.str("longrope")]);
  } else if (type !== "dynamic" && type.toLowerCase() !== "llama3") {
    // Upstream warns and writes no scaling keys; so do we, and the plan shows the warning.
    warnings.push(`unknown rope type "${type}": no rope scaling keys written`);
  }
}

export function textModelKv(
  arch: string,
  hp: HParams,
  blockCount: number,
  fileType: number,
  warnings: string[],
): KvList {
  const kv: KvList = [[`${arch}.block_count`, gguf.u32(blockCount)]];
  const add = (key: string, value: Json | undefined, as: (v: Json) => GgufValue) => {
    if (present(value)) kv.push([key, as(value)]);
  };
  add(
    `${arch}.context_length`,
    hp.find([
      "max_position_embeddings",
      "n_ctx",
      "n_positions",
      "max_length",
      "max_sequence_length",
      "model_max_length",
    ]),
    countValue,
  );
  add(`${arch}.embedding_length`, hp.find(["hidden_size", "n_embd", "dim"]), countValue);
  add(
    `${arch}.feed_forward_length`,
    hp.find([
      "prefix_dense_intermediate_size",
      "dense_intermediate_size",
      "intermediate_size",
      "n_inner",
      "hidden_dim",
    ]),
    countValue,
  );
  add(`${arch}.attention.head_count`, hp.find(["num_attention_heads", "n_head", "n_heads"]), countValue);
  add(`${arch}.attention.head_count_kv`, hp.find(["num_key_value_heads", "n_kv_heads"]), countValue);
  if (hp.values.is_causal === false) kv.push([`${arch}.attention.causal`, gguf.bool(false)]);
  ropeScaling(arch, hp, kv, warnings);
  const f32 = (v: Json) => gguf.f32(Number(v));
  add(`${arch}.rope.freq_base`, hp.fullAttentionRope().rope_theta, f32);
  const sliding = hp.rope.sliding_attention;
  if (sliding && typeof sliding === "object" && !Array.isArray(sliding))
    add(`${arch}.rope.freq_base_swa`, sliding.rope_theta, f32);
  add(`${arch}.attention.layer_norm_rms_epsilon`, hp.find(["rms_norm_eps", "norm_eps"]), f32);
  add(
    `${arch}.attention.layer_norm_epsilon`,
    hp.find(["layer_norm_eps", "layer_norm_epsilon", "norm_epsilon"]),
    f32,
  );
  const headDim = hp.values.head_dim;
  if (present(headDim))
    kv.push(
      [`${arch}.attention.key_length`, gguf.u32(Number(headDim))],
      [`${arch}.attention.value_length`, gguf.u32(Number(headDim))],
    );
  kv.push(["general.file_type", gguf.u32(fileType)]);
  return kv;
}
