import type { SourceFile } from "../transfer/types.js";

/**
 * Where a pull puts files: the Hugging Face cache, the ModelScope cache, or a plain folder. Each
 * file is downloaded to `partialPath` (kept across runs, for resume), then `finalize`d into place.
 */
export interface PullTarget {
  label: string;
  /** The folder the user is pointed at (the snapshot, the ModelScope model folder, `--output`). */
  readonly snapshotDir: string;
  /** The folder a cache prune treats as one unit. */
  readonly root: string;
  /** Where a running pull leaves its lock, so a prune leaves this repo alone. */
  readonly lockDir: string;
  /** Whether the file is already in place with the right size. */
  has(file: SourceFile): Promise<boolean>;
  /** Puts the file in place without downloading when its bytes are already held (another revision). */
  reuse?(file: SourceFile): Promise<boolean>;
  partialPath(file: SourceFile): string;
  finalize(file: SourceFile, partial: string): Promise<void>;
  /** Called once every file is in place: writes refs/metadata; returns the path to show. */
  done(revision: string, files: SourceFile[]): Promise<string>;
}
