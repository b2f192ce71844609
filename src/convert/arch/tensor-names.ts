/**
 * Hugging Face tensor names to GGUF names for the decoder-only families the converter supports
 * (gguf-py's `tensor_mapping.py`, the entries these architectures use). A name that maps to nothing
 * is an error upstream too ("Can not map tensor"), not something to drop quietly. Some HF names
 * mean different tensors in different families (gemma 2's post_attention_layernorm follows the
 * attention; llama's is the feed-forward norm): each lists its GGUF names, and the first one the
 * architecture has wins, as only one of them is in any architecture's MODEL_TENSORS.
 */
export const GLOBAL: Record<string, string> = {
  "model.embed_tokens": "token_embd",
  "model.norm": "output_norm",
  lm_head: "output",
};

export const PER_BLOCK: Record<string, readonly string[]> = {
  input_layernorm: ["attn_norm"],
  "self_attn.q_proj": ["attn_q"],
  "self_attn.k_proj": ["attn_k"],
  "self_attn.v_proj": ["attn_v"],
  "self_attn.qkv_proj": ["attn_qkv"],
  "self_attn.o_proj": ["attn_output"],
  "self_attn.q_norm": ["attn_q_norm"],
  "self_attn.k_norm": ["attn_k_norm"],
  post_attention_layernorm: ["post_attention_norm", "ffn_norm"],
  // gemma 2/3's FFN_PRE_NORM, whose GGUF name is ffn_norm.
  pre_feedforward_layernorm: ["ffn_norm"],
  post_feedforward_layernorm: ["post_ffw_norm"],
  "mlp.gate_proj": ["ffn_gate"],
  "mlp.up_proj": ["ffn_up"],
  // phi3 keeps gate and up fused in one tensor, named ffn_up.
  "mlp.gate_up_proj": ["ffn_up"],
  "mlp.down_proj": ["ffn_down"],
};

const BLOCK = /^model\.layers\.(\d+)\.(.+)$/;

/** Tensors upstream skips before mapping (buffers that are not weights). */
export function isSkippedTensor(name: string): boolean {
  return (
    name.endsWith(".attention.masked_bias") ||
    name.endsWith(".attention.bias") ||
    name.endsWith(".rotary_emb.inv_freq")
  );
}

const MULTIMODAL_PREFIXES = [
  "mlp",
  "vit.",
  "vpm.",
  "siglip2.",
  "conformer.",
  "merger.",
  "resampler.",
  "sound_encoder.",
  "sound_projection.",
  "speech_embeddings.",
];
const MULTIMODAL_PARTS = [
  "visual.",
  "vision.",
  "audio.",
  "talker.",
  "vision_",
  "audio_",
  "token2wav.",
  "code2wav.",
  "projector.",
  "pre_mm_projector_norm",
  "image_newline",
  "view_seperator",
  "patch_embed",
  "patch_merger.",
  "patch_merge_mlp.",
  "model.connector.",
];

/**
 * Tensors of a multimodal checkpoint's other towers (vision, audio, projectors), which upstream's
 * text conversion leaves out by name (TextModel.filter_tensors), before any other renaming.
 */
export function isMultimodalTensor(name: string): boolean {
  return (
    MULTIMODAL_PREFIXES.some((p) => name.startsWith(p)) || MULTIMODAL_PARTS.some((p) => name.includes(p))
  );
}

/**
 * The GGUF name of a Hugging Face tensor (`.weight` / `.bias` kept as the suffix), or undefined.
 * `allowed` is the set of GGUF base names the architecture has (qwen3 has q/k norms, llama not).
 */
export function ggufTensorName(hfName: string, allowed: ReadonlySet<string>): string | undefined {
  const suffix = hfName.endsWith(".weight") ? ".weight" : hfName.endsWith(".bias") ? ".bias" : undefined;
  if (!suffix) return undefined;
  const base = hfName.slice(0, -suffix.length);
  const global = GLOBAL[base];
  if (global) return allowed.has(global) ? global + suffix : undefined;
  const m = BLOCK.exec(base);
  const mapped = m ? PER_BLOCK[m[2] as string]?.find((name) => allowed.has(name)) : undefined;
  if (!m || !mapped) return undefined;
  return `blk.${m[1]}.${mapped}${suffix}`;
}

/** The block number of a tensor: upstream takes the first all-digit part of the name. */
export function blockOf(name: string): number | undefined {
  for (const part of name.split(".")) if (/^\d+$/.test(part)) return Number(part);
  return undefined;
}

const HF_GLOBAL = Object.fromEntries(Object.entries(GLOBAL).map(([hf, g]) => [g, hf]));
/** GGUF block names back to HF: the llama meaning of each (its first HF name in PER_BLOCK). */
const HF_PER_BLOCK: Record<string, string> = {};
for (const [hf, names] of Object.entries(PER_BLOCK)) for (const name of names) HF_PER_BLOCK[name] ??= hf;
/** Where a family means another HF tensor by the same GGUF name. */
const HF_PER_BLOCK_BY_ARCH: Record<string, Record<string, string>> = {
  gemma2: { ffn_norm: "pre_feedforward_layernorm" },
  gemma3: { ffn_norm: "pre_feedforward_layernorm" },
  phi3: { ffn_up: "mlp.gate_up_proj" },
};

/** The Hugging Face name of a GGUF tensor of `arch` (the reverse of ggufTensorName), or undefined. */
export function hfTensorName(ggufName: string, arch = "llama"): string | undefined {
  const m = /^(.+?)\.(weight|bias)$/.exec(ggufName);
  if (!m) return undefined;
  const [, base, suffix] = m as unknown as [string, string, string];
  const global = HF_GLOBAL[base];
  if (global) return `${global}.${suffix}`;
  const block = /^blk\.(\d+)\.(.+)$/.exec(base);
  const name = block?.[2] as string;
  const hf = block ? (HF_PER_BLOCK_BY_ARCH[arch]?.[name] ?? HF_PER_BLOCK[name]) : undefined;
  return block && hf ? `model.layers.${block[1]}.${hf}.${suffix}` : undefined;
}
