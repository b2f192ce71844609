/**
 * Where a checkpoint's files come from: a local folder or a hub repo at one commit. The converter
 * reads JSON files whole and tensor data by range, so a hub source never stages anything on disk.
 */
export interface CheckpointSource {
  /** What to call the source in messages and in `general.name` (a folder's or repo's name). */
  readonly name: string;
  /** Every file path in the source, relative and with forward slashes. */
  list(): Promise<string[]>;
  /** A file's text, or undefined when the source has no such file. */
  readText(path: string): Promise<string | undefined>;
  /** `length` bytes of a file from `offset`. */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array>;
  /** A file's size in bytes. */
  size(path: string): Promise<number>;
}
