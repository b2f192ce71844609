import { HubferryError } from "../core/errors.js";
import { type Architecture, architectureOf } from "./arch/architectures.js";
import { HParams, type JsonObject } from "./arch/hparams.js";
import { ggufTensorName, isMultimodalTensor, isSkippedTensor } from "./arch/tensor-names.js";
import { type Checkpoint, readJson, type SourceTensor } from "./checkpoint/read-checkpoint.js";
import type { GgmlType } from "./ggml/types.js";
import type { GgufMetadata } from "./gguf/gguf-value.js";
import { gguf } from "./gguf/gguf-value.js";
import { MetadataBuilder } from "./gguf/metadata-builder.js";
import {
  type ModelShape,
  QUANTIZE_FTYPE,
  type QuantizeType,
  quantizeOrder,
  quantizeTypes,
} from "./quantize-policy.js";
import { sizeLabel } from "./size-label.js";
import { writeVocab } from "./tokenizer/vocab-kv.js";
import { type ConvertType, FILE_TYPE, isConvertType, type OutputType, tensorType } from "./type-policy.js";

/**
 * A conversion decided before any weight is read: every metadata key, and every output tensor with
 * its GGUF name, dims (ggml order), type, and where its values come from. Because all of it is
 * known up front, the GGUF header can be written first and the tensors streamed after it.
 */
export interface PlannedTensor {
  name: string;
  dims: number[];
  type: GgmlType;
  /** The source tensor (its first dims[1] rows when cut), or generated values (rope_freqs). */
  from: { source: SourceTensor } | { values: Float32Array };
  /** Q/K rows permuted back to llama.cpp's rotary layout, in groups of this many heads. */
  permuteHeads?: number;
  /**
   * gemma's norm offset: 1 is added in the precision upstream's torch adds it in (F16 for an F16
   * source, which torch keeps as is; F32 otherwise, as bf16 is widened first).
   */
  addOne?: "F32" | "F16";
}

export interface GgufPlan {
  hfArchitecture: string;
  architecture: Architecture["gguf"];
  metadata: GgufMetadata;
  tensors: PlannedTensor[];
  warnings: string[];
}

export interface PlanOptions {
  /** convert_hf_to_gguf's types, or llama-quantize's mixes (applied to the model at F32). */
  type: OutputType;
  /** `general.name`: the source's name unless given. */
  name?: string;
  /** The BPE pre-tokenizer, when the tokenizer's is not one llama.cpp knows. */
  pre?: string;
  /**
   * false: no tokenizer keys, the model part alone. Not a CLI option: it lets the tests hold gemma
   * 1/2's keys and tensors to the reference while their SentencePiece vocabulary cannot be read.
   */
  vocab?: boolean;
}

function permuteHeadsFor(arch: Architecture, hp: HParams, hfName: string): number | undefined {
  if (!arch.undoPermute) return undefined;
  const heads = Number(hp.require(["n_heads", "num_attention_heads"]));
  const kvHeads = Number(hp.require(["n_kv_heads", "num_key_value_heads"]));
  if (hfName.endsWith("q_proj.weight") || hfName.endsWith("q_proj.bias")) return heads;
  if (hfName.endsWith("k_proj.weight") || hfName.endsWith("k_proj.bias"))
    return kvHeads !== heads ? kvHeads : heads;
  return undefined;
}

/**
 * gemma3 cuts token_embd to the tokenizer's real size: tokenizer.json's vocab plus its added
 * tokens, counted as upstream counts them. With a tokenizer.model upstream counts the
 * SentencePiece vocabulary, which it pads to vocab_size, so nothing is cut.
 */
async function embeddingRows(checkpoint: Checkpoint, arch: Architecture): Promise<number | undefined> {
  if (!arch.trimEmbeddings || checkpoint.files.includes("tokenizer.model")) return undefined;
  const json = await readJson(checkpoint.source, "tokenizer.json");
  const model = json?.model as { vocab?: unknown } | undefined;
  if (!json || !model?.vocab || typeof model.vocab !== "object")
    throw new HubferryError(
      "BAD_INPUT",
      `${checkpoint.source.name} has neither tokenizer.model nor a tokenizer.json vocabulary`,
      "gemma3's embedding rows are cut to the tokenizer's size; convert a checkpoint with its tokenizer",
    );
  const added = Array.isArray(json.added_tokens) ? json.added_tokens.length : 0;
  return Object.keys(model.vocab).length + added;
}

/** The HF name upstream maps: language_model. dropped, text_model. too for llama, model. added. */
function hfNameOf(arch: Architecture, sourceName: string): string {
  let hfName = sourceName.replace("language_model.", "");
  if (arch.gguf === "llama") hfName = hfName.replace("text_model.", "");
  return arch.prefixModel ? `model.${hfName}` : hfName;
}

function plannedTensors(
  checkpoint: Checkpoint,
  arch: Architecture,
  hp: HParams,
  type: ConvertType,
  vocabRows: number | undefined,
): PlannedTensor[] {
  const out: PlannedTensor[] = (arch.generatedTensors?.(hp) ?? []).map(({ name, values }) => ({
    name,
    dims: [values.length],
    type: "F32",
    from: { values },
  }));
  for (const source of checkpoint.tensors) {
    if (arch.dropLmHead && source.name === "lm_head.weight") continue;
    if (isMultimodalTensor(source.name)) continue;
    const hfName = hfNameOf(arch, source.name);
    if (isSkippedTensor(hfName)) continue;
    const name = ggufTensorName(hfName, arch.tensors);
    if (!name)
      throw new HubferryError(
        "BAD_INPUT",
        `cannot map tensor ${source.name} of ${arch.gguf}`,
        "the checkpoint has tensors this architecture does not; check its config.json",
      );
    const dims = [...source.shape].reverse();
    if (vocabRows !== undefined && hfName.includes("embed_tokens.weight") && dims.length === 2)
      dims[1] = Math.min(dims[1] as number, vocabRows);
    const permuteHeads = permuteHeadsFor(arch, hp, hfName);
    const shift = arch.normShift && hfName.endsWith("norm.weight");
    out.push({
      name,
      dims,
      type: tensorType(name, dims, type),
      from: { source },
      ...(permuteHeads ? { permuteHeads } : {}),
      ...(shift ? { addOne: source.dtype === "F16" ? "F16" : "F32" } : {}),
    });
  }
  return out;
}

/** llama-quantize on the F32 model: its tensor order, and its type for each tensor. */
function applyMix(tensors: PlannedTensor[], mix: QuantizeType, shape: ModelShape): PlannedTensor[] {
  const ordered = [...tensors].sort(quantizeOrder);
  const types = quantizeTypes(ordered, mix, shape);
  return ordered.map((t, i) => ({ ...t, type: types[i] as GgmlType }));
}

/** gguf_set_val removes a key and appends it: llama-quantize's two keys end the metadata. */
function mixKeys(meta: MetadataBuilder, mix: QuantizeType): void {
  meta.remove("general.quantization_version").set("general.quantization_version", gguf.u32(2));
  meta.remove("general.file_type").set("general.file_type", gguf.u32(QUANTIZE_FTYPE[mix].ftype));
}

/**
 * Upstream reads config.json through transformers' AutoConfig, which fills in the config class's
 * defaults; hub configs (gemma3's text_config especially) leave many out. An architecture that
 * lists its class's defaults gets them under its own values (under text_config's, if it has one).
 */
function withDefaults(config: JsonObject, defaults: JsonObject | undefined): JsonObject {
  if (!defaults) return config;
  const text = config.text_config;
  if (text && typeof text === "object" && !Array.isArray(text))
    return { ...config, text_config: { ...defaults, ...text } };
  return { ...defaults, ...config };
}

function modelShape(arch: Architecture, hp: HParams, layers: number): ModelShape {
  const heads = Number(hp.require(["num_attention_heads", "n_head", "n_heads"]));
  const kvHeads = Number(hp.find(["num_key_value_heads", "n_kv_heads"]) ?? heads);
  // llama.cpp calls an 80-layer llama with grouped KV heads, or an 80-layer qwen2, a 70B.
  const is70B = layers === 80 && (arch.gguf === "qwen2" || (arch.gguf === "llama" && heads !== kvHeads));
  return { layers, heads, kvHeads, is70B };
}

export async function planGguf(checkpoint: Checkpoint, options: PlanOptions): Promise<GgufPlan> {
  const { hfName, arch } = architectureOf(checkpoint.config);
  const hp = new HParams(withDefaults(checkpoint.config as JsonObject, arch.configDefaults));
  const blockCount = Number(hp.require(["n_layers", "num_hidden_layers", "n_layer", "num_layers"]));
  const baseType: ConvertType = isConvertType(options.type) ? options.type : "f32";
  let tensors = plannedTensors(checkpoint, arch, hp, baseType, await embeddingRows(checkpoint, arch));
  const warnings: string[] = [];
  const params = tensors.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);
  const meta = new MetadataBuilder()
    .set("general.architecture", gguf.str(arch.gguf))
    .setAll(arch.earlyKv?.(hp) ?? [])
    .set("general.type", gguf.str("model"))
    .set("general.name", gguf.str(options.name ?? checkpoint.source.name))
    .set("general.size_label", gguf.str(sizeLabel(params)))
    .setAll(arch.modelKv(hp, blockCount, FILE_TYPE[baseType], warnings))
    .set("general.quantization_version", gguf.u32(2));
  if (options.vocab !== false) await writeVocab(checkpoint, arch, meta, { pre: options.pre });
  if (!isConvertType(options.type)) {
    tensors = applyMix(tensors, options.type, modelShape(arch, hp, blockCount));
    mixKeys(meta, options.type);
  }
  return { hfArchitecture: hfName, architecture: arch.gguf, metadata: meta.build(), tensors, warnings };
}
