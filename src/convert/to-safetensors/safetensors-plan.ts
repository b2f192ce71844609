import { HubferryError } from "../../core/errors.js";
import type { JsonObject } from "../arch/hparams.js";
import { hfTensorName } from "../arch/tensor-names.js";
import type { GgufHeader, GgufTensorPlace } from "../gguf/read-header.js";
import { hfConfig } from "./hf-config.js";

/**
 * GGUF -> safetensors, decided from the header alone: every tensor's Hugging Face name and torch
 * shape, the Q/K rows to permute back (llama), gemma's norm offset to take off, the output dtype,
 * the safetensors header, and config.json. Generated tensors (rope_freqs, phi3's rope factors)
 * have no Hugging Face tensor: rope_freqs is left out, phi3's factors go back into config.json.
 */
export type SafetensorsDtype = "F32" | "F16" | "BF16";
const WIDTH: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };
const TORCH_DTYPE: Record<SafetensorsDtype, string> = { F32: "float32", F16: "float16", BF16: "bfloat16" };

export interface SafetensorsTensor {
  name: string;
  shape: number[];
  from: GgufTensorPlace;
  /** Undo llama.cpp's Q/K row permutation, in groups of this many heads. */
  unpermuteHeads?: number;
  /** gemma's norms: llama.cpp stores w, HF w - 1 (subtracted in float32, as transformers' loader does). */
  subtractOne?: boolean;
  byteSize: number;
}

export interface SafetensorsPlan {
  architecture: string;
  dtype: SafetensorsDtype;
  tensors: SafetensorsTensor[];
  header: Uint8Array;
  config: JsonObject;
  skipped: string[];
  /** phi3's LongRoPE factor tensors, to read into config.json's rope_scaling. */
  ropeFactors?: { long: GgufTensorPlace; short: GgufTensorPlace };
  fileSize: number;
}

function headsFor(arch: string, name: string, config: JsonObject): number | undefined {
  if (arch !== "llama") return undefined;
  if (/\.attn_q\.(weight|bias)$/.test(name)) return Number(config.num_attention_heads);
  if (/\.attn_k\.(weight|bias)$/.test(name)) return Number(config.num_key_value_heads);
  return undefined;
}

/** The 8-byte length and the JSON header, padded with spaces to 8 bytes as safetensors writes it. */
function safetensorsHeader(tensors: SafetensorsTensor[], dtype: SafetensorsDtype): Uint8Array {
  const entries: Record<string, unknown> = { __metadata__: { format: "pt" } };
  let offset = 0;
  for (const t of tensors) {
    entries[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + t.byteSize] };
    offset += t.byteSize;
  }
  let json = JSON.stringify(entries);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const body = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(body.length), true);
  out.set(body, 8);
  return out;
}

const GENERATED = new Set(["rope_freqs.weight", "rope_factors_long.weight", "rope_factors_short.weight"]);
const NORM_OFFSET = new Set(["gemma", "gemma2", "gemma3"]);

function ropeFactorsOf(header: GgufHeader): SafetensorsPlan["ropeFactors"] {
  const long = header.tensors.find((t) => t.name === "rope_factors_long.weight");
  const short = header.tensors.find((t) => t.name === "rope_factors_short.weight");
  return long && short ? { long, short } : undefined;
}

export function planSafetensors(header: GgufHeader, dtype: SafetensorsDtype): SafetensorsPlan {
  const archValue = header.metadata.get("general.architecture");
  const architecture = archValue?.type === "string" ? archValue.value : "?";
  const tied = !header.tensors.some((t) => t.name === "output.weight");
  const embd = header.tensors.find((t) => t.name === "token_embd.weight");
  const config = hfConfig(header.metadata, { tied, dtype: TORCH_DTYPE[dtype], vocabRows: embd?.dims[1] });
  const tensors: SafetensorsTensor[] = [];
  const skipped: string[] = [];
  for (const t of header.tensors) {
    if (GENERATED.has(t.name)) {
      if (t.name === "rope_freqs.weight") skipped.push(t.name);
      continue;
    }
    const name = hfTensorName(t.name, architecture);
    if (!name)
      throw new HubferryError(
        "BAD_INPUT",
        `the GGUF's tensor ${t.name} has no Hugging Face name the converter knows`,
        "convert a GGUF of llama, qwen2, qwen3, gemma, gemma2, gemma3 or phi3",
      );
    const count = t.dims.reduce((a, b) => a * b, 1);
    const heads = headsFor(architecture, t.name, config);
    tensors.push({
      name,
      shape: [...t.dims].reverse(),
      from: t,
      byteSize: count * WIDTH[dtype],
      ...(heads ? { unpermuteHeads: heads } : {}),
      ...(NORM_OFFSET.has(architecture) && t.name.endsWith("norm.weight") ? { subtractOne: true } : {}),
    });
  }
  const head = safetensorsHeader(tensors, dtype);
  return {
    architecture,
    dtype,
    tensors,
    header: head,
    config,
    skipped,
    ropeFactors: ropeFactorsOf(header),
    fileSize: head.length + tensors.reduce((s, t) => s + t.byteSize, 0),
  };
}
