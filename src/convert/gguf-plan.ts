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
import { sizeLabel } from "./size-label.js";
import { writeVocab } from "./tokenizer/vocab-kv.js";
import { type ConvertType, FILE_TYPE, tensorType } from "./type-policy.js";

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
  type: ConvertType;
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

export async function planGguf(checkpoint: Checkpoint, options: PlanOptions): Promise<GgufPlan> {
  const { hfName, arch } = architectureOf(checkpoint.config);
  const hp = new HParams(checkpoint.config as JsonObject);
  const blockCount = Number(hp.require(["n_layers", "num_hidden_layers", "n_layer", "num_layers"]));
  const tensors = plannedTensors(checkpoint, arch, hp, options.type);
  const warnings: string[] = [];
  const params = tensors.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);
  const meta = new MetadataBuilder()
    .set("general.architecture", gguf.str(arch.gguf))
    .set("general.type", gguf.str("model"))
    .set("general.name", gguf.str(options.name ?? checkpoint.source.name))
    .set("general.size_label", gguf.str(sizeLabel(params)))
    .setAll(textModelKv(arch.gguf, hp, blockCount, FILE_TYPE[options.type], warnings))
    .setAll(arch.extraKv(hp))
    .set("general.quantization_version", gguf.u32(2));
  await writeVocab(checkpoint, arch, meta, { pre: options.pre });
  return { hfArchitecture: hfName, architecture: arch.gguf, metadata: meta.build(), tensors, warnings };
}
