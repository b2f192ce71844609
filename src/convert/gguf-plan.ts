import { HubferryError } from "../core/errors.js";
import { type Architecture, architectureOf } from "./arch/architectures.js";
import { HParams, type JsonObject } from "./arch/hparams.js";
import { llama3RopeFactors } from "./arch/rope-freqs.js";
import { ggufTensorName, isSkippedTensor } from "./arch/tensor-names.js";
import { textModelKv } from "./arch/text-model-kv.js";
import type { Checkpoint, SourceTensor } from "./checkpoint/read-checkpoint.js";
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
  /** The source tensor, or generated values (rope_freqs). */
  from: { source: SourceTensor } | { values: Float32Array };
  /** Q/K rows permuted back to llama.cpp's rotary layout, in groups of this many heads. */
  permuteHeads?: number;
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

function plannedTensors(
  checkpoint: Checkpoint,
  arch: Architecture,
  hp: HParams,
  type: ConvertType,
): PlannedTensor[] {
  const out: PlannedTensor[] = [];
  const rope = hp.fullAttentionRope();
  if (
    arch.gguf === "llama" &&
    typeof rope.rope_type === "string" &&
    rope.rope_type.toLowerCase() === "llama3"
  ) {
    const headDim = Number(
      hp.values.head_dim ?? Number(hp.values.hidden_size) / Number(hp.values.num_attention_heads),
    );
    const values = llama3RopeFactors(rope, headDim);
    out.push({ name: "rope_freqs.weight", dims: [values.length], type: "F32", from: { values } });
  }
  for (const source of checkpoint.tensors) {
    let hfName = source.name.replace("language_model.", "");
    if (arch.gguf === "llama") hfName = hfName.replace("text_model.", "");
    if (arch.prefixModel) hfName = `model.${hfName}`;
    if (isSkippedTensor(hfName)) continue;
    const name = ggufTensorName(hfName, arch.tensors);
    if (!name)
      throw new HubferryError(
        "BAD_INPUT",
        `cannot map tensor ${source.name} of ${arch.gguf}`,
        "the checkpoint has tensors this architecture does not; check its config.json",
      );
    const dims = [...source.shape].reverse();
    const permuteHeads = permuteHeadsFor(arch, hp, hfName);
    out.push({
      name,
      dims,
      type: tensorType(name, dims, type),
      from: { source },
      ...(permuteHeads ? { permuteHeads } : {}),
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

function modelShape(arch: Architecture, hp: HParams, layers: number): ModelShape {
  const heads = Number(hp.require(["num_attention_heads", "n_head", "n_heads"]));
  const kvHeads = Number(hp.find(["num_key_value_heads", "n_kv_heads"]) ?? heads);
  // llama.cpp calls an 80-layer llama with grouped KV heads, or an 80-layer qwen2, a 70B.
  const is70B = layers === 80 && (arch.gguf === "qwen2" || (arch.gguf === "llama" && heads !== kvHeads));
  return { layers, heads, kvHeads, is70B };
}

export async function planGguf(checkpoint: Checkpoint, options: PlanOptions): Promise<GgufPlan> {
  const { hfName, arch } = architectureOf(checkpoint.config);
  const hp = new HParams(checkpoint.config as JsonObject);
  const blockCount = Number(hp.require(["n_layers", "num_hidden_layers", "n_layer", "num_layers"]));
  const baseType: ConvertType = isConvertType(options.type) ? options.type : "f32";
  let tensors = plannedTensors(checkpoint, arch, hp, baseType);
  const warnings: string[] = [];
  const params = tensors.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);
  const meta = new MetadataBuilder()
    .set("general.architecture", gguf.str(arch.gguf))
    .set("general.type", gguf.str("model"))
    .set("general.name", gguf.str(options.name ?? checkpoint.source.name))
    .set("general.size_label", gguf.str(sizeLabel(params)))
    .setAll(textModelKv(arch.gguf, hp, blockCount, FILE_TYPE[baseType], warnings))
    .setAll(arch.extraKv(hp))
    .set("general.quantization_version", gguf.u32(2));
  await writeVocab(checkpoint, arch, meta, { pre: options.pre });
  if (!isConvertType(options.type)) {
    tensors = applyMix(tensors, options.type, modelShape(arch, hp, blockCount));
    mixKeys(meta, options.type);
  }
  return { hfArchitecture: hfName, architecture: arch.gguf, metadata: meta.build(), tensors, warnings };
}
