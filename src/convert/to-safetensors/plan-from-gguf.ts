import { HubferryError } from "../../core/errors.js";
import { NeedMoreBytes } from "../../formats/range-reader.js";
import type { CheckpointSource } from "../checkpoint/source.js";
import { type GgufHeader, parseGguf } from "../gguf/read-header.js";
import { addRopeFactors } from "./rope-factors.js";
import { planSafetensors, type SafetensorsDtype, type SafetensorsPlan } from "./safetensors-plan.js";
import { tokenizerOutput } from "./tokenizer/rebuild-tokenizer.js";

const MAX_HEADER = 512 * 1024 * 1024;

/** The header, read by ranges that double until it parses (vocabularies make it megabytes). */
export async function readGgufHeader(source: CheckpointSource, path: string): Promise<GgufHeader> {
  const size = await source.size(path);
  let want = Math.min(size, 4 * 1024 * 1024);
  for (;;) {
    const head = await source.readRange(path, 0, want);
    try {
      return parseGguf(head, size);
    } catch (err) {
      if (!(err instanceof NeedMoreBytes)) throw err;
      if (want >= Math.min(size, MAX_HEADER))
        throw new HubferryError(
          "BAD_INPUT",
          `${path} ends inside its GGUF header`,
          "the file is truncated or not a GGUF",
        );
      want = Math.min(size, MAX_HEADER, Math.max(err.needed, want * 2));
    }
  }
}

/**
 * Everything GGUF -> safetensors decides before a tensor is read, whether the output goes to a
 * folder or a hub repo: the header, the tensor plan (with rope factors read back from their
 * tensors into the config), and the rebuilt tokenizer's files or the warning that says why none.
 */
export async function planFromGguf(
  source: CheckpointSource,
  path: string,
  dtype: SafetensorsDtype,
): Promise<{
  header: GgufHeader;
  plan: SafetensorsPlan;
  tokenizer: ReturnType<typeof tokenizerOutput>;
}> {
  const header = await readGgufHeader(source, path);
  const plan = planSafetensors(header, dtype);
  await addRopeFactors(plan, source, path);
  return { header, plan, tokenizer: tokenizerOutput(header.metadata) };
}
