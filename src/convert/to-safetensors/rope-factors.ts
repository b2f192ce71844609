import type { JsonObject } from "../arch/hparams.js";
import type { CheckpointSource } from "../checkpoint/source.js";
import { decoderFor } from "../ggml/codecs.js";
import { GGML_TYPES } from "../ggml/types.js";
import type { GgufTensorPlace } from "../gguf/read-header.js";
import type { SafetensorsPlan } from "./safetensors-plan.js";

/**
 * phi3's LongRoPE factors are tensors in a GGUF but config.json fields in a checkpoint: read them
 * back (a few dozen float32 values) into rope_scaling, each written as the shortest decimal that
 * is the same float32, which is what the original config said for any factor float32 can hold.
 */
function shortest(value: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

async function readFactors(source: CheckpointSource, path: string, t: GgufTensorPlace): Promise<number[]> {
  const count = t.dims.reduce((a, b) => a * b, 1);
  const { blockSize, typeSize } = GGML_TYPES[t.type];
  const bytes = await source.readRange(path, t.offset, (count / blockSize) * typeSize);
  return Array.from(decoderFor(t.type)(bytes), shortest);
}

export async function addRopeFactors(
  plan: SafetensorsPlan,
  source: CheckpointSource,
  path: string,
): Promise<void> {
  if (!plan.ropeFactors) return;
  const rope: JsonObject = {
    long_factor: await readFactors(source, path, plan.ropeFactors.long),
    short_factor: await readFactors(source, path, plan.ropeFactors.short),
    type: "longrope",
  };
  plan.config.rope_scaling = rope;
}
