import { createHash } from "node:crypto";
import type { SourceFile, TransferSource } from "../../transfer/types.js";
import type { CheckpointSource } from "../checkpoint/source.js";

/**
 * A repo that exists only as it is read: files made on demand by range (a conversion's output,
 * a card) and files passed through from the checkpoint, as a transfer source like any hub repo's.
 * The engine uploads it as it uploads anything (plan against the destination, parts, retries,
 * verification), so nothing is staged on disk.
 *
 * Hubs want a file's sha256 before its bytes (an LFS batch, a ModelScope upload), so a made file
 * is made twice: once, only hashed, when the repo is listed; once more as it is uploaded, where
 * the engine checks the bytes against that hash. Conversion is deterministic, which is what makes
 * the second pass the same file.
 */
export interface MadeFile {
  path: string;
  size: number;
  read(start: number, end: number, signal?: AbortSignal): AsyncIterable<Uint8Array>;
  /** Large: hashed by a full pass when listed (unless `sha256` is known, as for bytes in memory). */
  large: boolean;
  sha256?: string;
}

/** What every converted repo is told: where it goes, what it came from, and how the run goes. */
export interface ConvertedRepoCommon {
  /** The destination repo's id, for the card's title. */
  repoId: string;
  /** The source as the card names it (`hf:org/name@commit`, or a folder or file). */
  sourceLabel: string;
  /** The source's licence, which the card keeps. */
  license?: string;
  /** The pinned commit reads use (a local source has none: "local"). */
  revision: string;
  /** The source's own listing, whose hashes the files passed through keep. */
  listing?: SourceFile[];
  /** Plan without converting: the listing gives the made file no sha256 (it would cost a whole conversion). */
  dryRun: boolean;
  /** hubferry's version, for the card. */
  version: string;
  /** Told the bytes hashed so far while the hashing pass runs. */
  onHashing?(bytes: number, total: number): void;
  signal?: AbortSignal;
}

export interface MadeRepoOptions {
  label: string;
  revision: string;
  made: MadeFile[];
  /** The checkpoint, and which of its files go through unchanged. */
  checkpoint: CheckpointSource;
  passThrough: (path: string) => boolean;
  /** The source's own listing, whose hashes the files passed through keep. */
  listing?: SourceFile[];
  /** Plan without converting: large made files are listed without a sha256. */
  dryRun: boolean;
  /** Told a made file's bytes hashed so far while its hashing pass runs. */
  onHashing?(path: string, bytes: number, total: number): void;
  signal?: AbortSignal;
}

/** Files passed through above this size whose source publishes no sha256 are hashed while listing. */
const HASH_HERE_ABOVE = 4 * 1024 * 1024;
const HASH_PROGRESS_EVERY = 16 * 1024 * 1024;

async function hashMade(file: MadeFile, opts: MadeRepoOptions): Promise<string> {
  const hash = createHash("sha256");
  let done = 0;
  let said = 0;
  for await (const chunk of file.read(0, file.size - 1, opts.signal)) {
    hash.update(chunk);
    done += chunk.length;
    if (done - said >= HASH_PROGRESS_EVERY || done === file.size) {
      said = done;
      opts.onHashing?.(file.path, done, file.size);
    }
  }
  return hash.digest("hex");
}

async function passedThrough(opts: MadeRepoOptions, taken: Set<string>): Promise<SourceFile[]> {
  const known = new Map((opts.listing ?? []).map((f) => [f.path, f]));
  const paths = (await opts.checkpoint.list()).filter((p) => opts.passThrough(p) && !taken.has(p));
  return Promise.all(
    paths.map(async (path) => {
      const k = known.get(path);
      const size = k?.size ?? (await opts.checkpoint.size(path));
      // The engine hashes small files itself; a large tokenizer from a folder is hashed here.
      const sha256 =
        k?.sha256 ??
        (size > HASH_HERE_ABOVE
          ? createHash("sha256")
              .update(await opts.checkpoint.readRange(path, 0, size))
              .digest("hex")
          : undefined);
      return { path, size, sha256, gitOid: k?.gitOid };
    }),
  );
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

export function madeRepo(opts: MadeRepoOptions): TransferSource {
  const made = new Map(opts.made.map((f) => [f.path, f]));
  const list = async (): Promise<SourceFile[]> => {
    const files = await passedThrough(opts, new Set(made.keys()));
    for (const f of opts.made) {
      const sha256 = f.sha256 ?? (f.large && !opts.dryRun ? await hashMade(f, opts) : undefined);
      files.push({ path: f.path, size: f.size, sha256, lfs: f.large || undefined });
    }
    return files;
  };
  let listed: Promise<SourceFile[]> | undefined;
  return {
    label: opts.label,
    revision: opts.revision,
    // Ranges of a made file are made on this thread: reading several at once gains nothing.
    parallelRanges: false,
    // Listed once: a second listing (the final verification) must not convert the model again.
    list: () => {
      listed ??= list();
      return listed;
    },
    async read(path, start, end, signal) {
      const file = made.get(path);
      if (file) return file.read(start, end, signal);
      return once(await opts.checkpoint.readRange(path, start, end - start + 1));
    },
  };
}

/** A small made file held in memory (a card, a config). */
export function madeFromBytes(path: string, bytes: Uint8Array): MadeFile {
  return {
    path,
    size: bytes.length,
    large: false,
    // Known at once: a rebuilt tokenizer.json is larger than what the engine hashes in memory itself.
    sha256: createHash("sha256").update(bytes).digest("hex"),
    read: (start, end) => once(bytes.subarray(start, end + 1)),
  };
}
