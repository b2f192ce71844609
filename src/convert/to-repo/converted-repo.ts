import { createHash } from "node:crypto";
import type { SourceFile, TransferSource } from "../../transfer/types.js";
import { readCheckpoint } from "../checkpoint/read-checkpoint.js";
import type { CheckpointSource } from "../checkpoint/source.js";
import type { GgufLayout } from "../gguf/write-header.js";
import { layOutGguf } from "../gguf/write-header.js";
import { type GgufPlan, planGguf } from "../gguf-plan.js";
import { ggufRange } from "../gguf-range.js";
import type { OutputType } from "../type-policy.js";
import { isCompanionFile } from "./companion-files.js";
import { ggufCard } from "./gguf-card.js";

/**
 * A checkpoint as the repo its conversion would be: the GGUF, the source's config and tokenizer
 * files, and a card, as a transfer source like any hub repo's. The engine then uploads it as it
 * uploads anything (plan against the destination, parts, retries, verification), and every byte
 * of the GGUF is made when it is read, so nothing is staged on disk.
 *
 * Hubs want a file's sha256 before its bytes (an LFS batch, a ModelScope upload), so the GGUF is
 * converted twice: once, only hashed, when the repo is listed; once more as it is uploaded, where
 * the engine checks the bytes against that hash. Conversion is deterministic, which is what makes
 * the second pass the same file.
 */
export interface ConvertedRepoOptions {
  type: OutputType;
  name?: string;
  pre?: string;
  /** The destination repo's id, for the card's title. */
  repoId: string;
  /** The GGUF's file name in the repo (default: `<source name>-<TYPE>.gguf`). */
  fileName?: string;
  /** The source as the card names it (`hf:org/name@commit`, or a folder). */
  sourceLabel: string;
  baseModel?: string;
  license?: string;
  /** The pinned commit reads use (a folder has none: "local"). */
  revision: string;
  /** The source's own listing, whose hashes the files passed through keep. */
  listing?: SourceFile[];
  /** Plan without converting: the listing gives the GGUF no sha256 (it would cost a whole conversion). */
  dryRun: boolean;
  version: string;
  /** Told the bytes hashed so far while the hashing pass runs. */
  onHashing?(bytes: number, total: number): void;
  signal?: AbortSignal;
}

export interface ConvertedRepo {
  source: TransferSource;
  plan: GgufPlan;
  layout: GgufLayout;
  fileName: string;
}

/** Hashes the whole GGUF as it would be written, reporting progress every 16 MiB. */
async function hashGguf(
  plan: GgufPlan,
  layout: GgufLayout,
  checkpoint: CheckpointSource,
  opts: ConvertedRepoOptions,
): Promise<string> {
  const hash = createHash("sha256");
  let done = 0;
  let said = 0;
  for await (const chunk of ggufRange(plan, layout, checkpoint, 0, layout.fileSize - 1, opts.signal)) {
    hash.update(chunk);
    done += chunk.length;
    if (done - said >= 16 * 1024 * 1024 || done === layout.fileSize) {
      said = done;
      opts.onHashing?.(done, layout.fileSize);
    }
  }
  return hash.digest("hex");
}

/** Companion files above this size whose source publishes no sha256 are hashed while listing. */
const HASH_HERE_ABOVE = 4 * 1024 * 1024;

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

export async function convertedRepo(
  checkpoint: CheckpointSource,
  opts: ConvertedRepoOptions,
): Promise<ConvertedRepo> {
  const plan = await planGguf(await readCheckpoint(checkpoint), {
    type: opts.type,
    name: opts.name,
    pre: opts.pre,
  });
  const layout = layOutGguf(plan.metadata, plan.tensors);
  const fileName = opts.fileName ?? `${checkpoint.name}-${opts.type.toUpperCase()}.gguf`;
  const card = new TextEncoder().encode(
    ggufCard({
      repoId: opts.repoId,
      fileName,
      sourceLabel: opts.sourceLabel,
      baseModel: opts.baseModel,
      license: opts.license,
      hfArchitecture: plan.hfArchitecture,
      architecture: plan.architecture,
      type: opts.type,
      bytes: layout.fileSize,
      version: opts.version,
    }),
  );
  const known = new Map((opts.listing ?? []).map((f) => [f.path, f]));
  let listed: Promise<SourceFile[]> | undefined;
  const list = async (): Promise<SourceFile[]> => {
    const companions = (await checkpoint.list()).filter((p) => isCompanionFile(p) && p !== fileName);
    const files: SourceFile[] = await Promise.all(
      companions.map(async (path) => {
        const k = known.get(path);
        const size = k?.size ?? (await checkpoint.size(path));
        // The engine hashes small files itself; a large tokenizer from a folder is hashed here.
        const sha256 =
          k?.sha256 ??
          (size > HASH_HERE_ABOVE
            ? createHash("sha256")
                .update(await checkpoint.readRange(path, 0, size))
                .digest("hex")
            : undefined);
        return { path, size, sha256, gitOid: k?.gitOid };
      }),
    );
    files.push({ path: "README.md", size: card.length });
    const sha256 = opts.dryRun ? undefined : await hashGguf(plan, layout, checkpoint, opts);
    files.push({ path: fileName, size: layout.fileSize, sha256, lfs: true });
    return files;
  };
  const source: TransferSource = {
    label: opts.sourceLabel,
    revision: opts.revision,
    // Ranges of a converted file are made on this thread: reading several at once gains nothing.
    parallelRanges: false,
    list: () => {
      // Listed once: a second listing (the final verification) must not convert the model again.
      listed ??= list();
      return listed;
    },
    async read(path, start, end, signal) {
      if (path === fileName) return ggufRange(plan, layout, checkpoint, start, end, signal);
      if (path === "README.md") return once(card.subarray(start, end + 1));
      return once(await checkpoint.readRange(path, start, end - start + 1));
    },
  };
  return { source, plan, layout, fileName };
}
