/**
 * What the transfer engine needs from a source and a destination. Hubs implement these; the
 * engine knows nothing of any hub.
 */

export interface SourceFile {
  path: string;
  size: number;
  /** Content sha256, when the source publishes it (HF LFS files, every ModelScope file). */
  sha256?: string;
  /** Git blob id of the content, when the source publishes it (HF regular files). */
  gitOid?: string;
  /** The last commit that changed the file, when the listing says (ModelScope). */
  lastCommit?: string;
  /** Whether the source keeps the file in LFS, when the listing says. */
  lfs?: boolean;
  /** The hub's own content id of the file (Hugging Face Xet), when the listing says. */
  xetHash?: string;
}

export type DestFile = SourceFile;

/** How a read would like to be treated, beyond its range. */
export interface ReadHints {
  /**
   * The caller reads the file in several ranges at once and would rather use fewer streams than
   * wait: a refusal (403, 429) comes back at once instead of being waited out and retried.
   */
  refuseFast?: boolean;
}

export interface TransferSource {
  /** e.g. `hf:org/name@0123abcd` */
  readonly label: string;
  /** The commit every read is pinned to. */
  readonly revision: string;
  /**
   * Whether a large file reads faster in several ranges at once (a remote server that caps each
   * connection's speed); a folder on disk gains nothing from it.
   */
  readonly parallelRanges?: boolean;
  list(): Promise<SourceFile[]>;
  /** Bytes `start..end` (inclusive) of a file. */
  read(
    path: string,
    start: number,
    end: number,
    signal?: AbortSignal,
    hints?: ReadHints,
  ): Promise<AsyncIterable<Uint8Array>>;
}

export interface UploadRequest {
  path: string;
  size: number;
  sha256: string;
  /** The first bytes of the file (up to 512), for destinations that classify by content. */
  sample: Buffer;
}

/**
 * Told the body bytes as the HTTP client sends them (negative when a retried attempt starts
 * over), so progress shows what went out, not what was read.
 */
export type OnSent = (n: number) => void;

/** How the destination wants one file's bytes. */
export type UploadMethod =
  | { kind: "inline" }
  | { kind: "stored" }
  | {
      kind: "single";
      put(body: AsyncIterable<Uint8Array>, signal: AbortSignal, onSent?: OnSent): Promise<void>;
    }
  | {
      kind: "parts";
      partSize: number;
      partCount: number;
      /**
       * Uploads one part; returns its ETag. A Buffer may be re-sent on a retry; a stream (with its
       * `size`) is sent once, and its caller sends the part again from memory if that fails.
       */
      putPart(
        index: number,
        data: Buffer | AsyncIterable<Uint8Array>,
        signal: AbortSignal,
        onSent?: OnSent,
        size?: number,
      ): Promise<string>;
      complete(etags: string[], signal: AbortSignal): Promise<void>;
    };

export type CommitChange =
  | { kind: "inline"; path: string; content: Buffer }
  | { kind: "lfs"; path: string; sha256: string; size: number }
  | { kind: "delete"; path: string };

export interface TransferDestination {
  readonly label: string;
  /** Where a person sees the result. */
  readonly url: string;
  list(): Promise<DestFile[]>;
  prepare(files: UploadRequest[], signal: AbortSignal): Promise<UploadMethod[]>;
  /**
   * Commits the changes; returns the new commit id. `onSent` is told, per inline file, its
   * content bytes as the commit body carrying them goes out.
   */
  commit(
    changes: CommitChange[],
    message: string,
    signal: AbortSignal,
    onSent?: (path: string, n: number) => void,
  ): Promise<string>;
  /** Whether `prepare` looks at the first bytes of large files (the HF preupload does). */
  readonly wantsSample?: boolean;
  /** Why the destination cannot hold this path, if it cannot. */
  refuses?(path: string): string | undefined;
  /**
   * Files the hub itself put there (e.g. a README it writes into every new repo), with why:
   * they belong to the platform, so a sync never deletes them nor counts them as extra.
   */
  platformFiles?(): Promise<{ path: string; reason: string }[]>;
}
