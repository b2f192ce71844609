/**
 * Hugging Face tensor names to GGUF names for the decoder-only families the converter supports
 * (gguf-py's `tensor_mapping.py`, the entries these architectures use). A name that maps to nothing
 * is an error upstream too ("Can not map tensor"), not something to drop quietly.
 */
export const GLOBAL: Record<string, string> = {
  "model.embed_tokens": "token_embd",
  "model.norm": "output_norm",
  lm_head: "output",
};

export const PER_BLOCK: Record<string, string> = {
  input_layernorm: "attn_norm",
  "self_attn.q_proj": "attn_q",
  "self_attn.k_proj": "attn_k",
  "self_attn.v_proj": "attn_v",
  "self_attn.o_proj": "attn_output",
  "self_attn.q_norm": "attn_q_norm",
  "self_attn.k_norm": "attn_k_norm",
  post_attention_layernorm: "ffn_norm",
  "mlp.gate_proj": "ffn_gate",
  "mlp.up_proj": "ffn_up",
  "mlp.down_proj": "ffn_down",
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
  const mapped = m ? PER_BLOCK[m[2] as string] : undefined;
  if (!m || !mapped || !allowed.has(mapped)) return undefined;
  return `blk.${m[1]}.${mapped}${suffix}`;
}

/** The block number of a tensor: upstream takes the first all-digit part of the name. */
export function blockOf(name: string): number | undefined {
  for (const part of name.split(".")) if (/^\d+$/.test(part)) return Number(part);
  return undefined;
}

const HF_GLOBAL = Object.fromEntries(Object.entries(GLOBAL).map(([hf, g]) => [g, hf]));
const HF_PER_BLOCK = Object.fromEntries(Object.entries(PER_BLOCK).map(([hf, g]) => [g, hf]));

/** The Hugging Face name of a GGUF tensor (the reverse of ggufTensorName), or undefined. */
export function hfTensorName(ggufName: string): string | undefined {
  const m = /^(.+?)\.(weight|bias)$/.exec(ggufName);
  if (!m) return undefined;
  const [, base, suffix] = m as unknown as [string, string, string];
  const global = HF_GLOBAL[base];
  if (global) return `${global}.${suffix}`;
  const block = /^blk\.(\d+)\.(.+)$/.exec(base);
  const hf = block ? HF_PER_BLOCK[block[2] as string] : undefined;
  return block && hf ? `model.layers.${block[1]}.${hf}.${suffix}` : undefined;
}
