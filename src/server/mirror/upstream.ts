import type { RepoType } from "../../core/repo-type.js";
import type { Face, Gated } from "../store/repo-store.js";

/**
 * What a mirror asks of the hub it mirrors. The server knows only this shape: the code that speaks
 * to the real hub is a backend's, wired in by whoever starts the server (the `serve` command), so
 * the server never runs a backend's code paths.
 */
export interface Upstream {
  readonly face: Face;
  /** The upstream's base URL, for messages (never with a token). */
  readonly endpoint: string;
  /** The repo at `revision` (its default branch when undefined): the commit it names now. */
  repo(type: RepoType, id: string, revision?: string): Promise<UpstreamRepo>;
  /** Every file of the repo at commit `sha`. */
  files(type: RepoType, id: string, repo: UpstreamRepo): Promise<UpstreamFile[]>;
  /** Bytes `start..end` (inclusive) of a file at commit `sha`. */
  read(
    type: RepoType,
    id: string,
    repo: UpstreamRepo,
    path: string,
    start: number,
    end: number,
    signal?: AbortSignal,
  ): Promise<AsyncIterable<Uint8Array>>;
}

export interface UpstreamRepo {
  /** The repo's own id upstream (its spelling there). */
  id: string;
  sha: string;
  private: boolean;
  gated: Gated;
  lastModified?: string;
  sdk?: string;
  license?: string;
}

/** A file as the upstream listing states it: the hashes the mirror checks its bytes against. */
export interface UpstreamFile {
  path: string;
  size: number;
  lfs: boolean;
  /** Known for LFS files (and every file on ModelScope). */
  sha256?: string;
  /** The git blob id (Hugging Face's regular files). */
  gitOid?: string;
}

/** Upstream said the repo, revision or file does not exist (or is hidden from the mirror's token). */
export class UpstreamNotFound extends Error {
  constructor(
    readonly what: "repo" | "revision" | "file",
    message: string,
  ) {
    super(message);
  }
}

/** Upstream could not be reached, or answered with a server error after retries. */
export class UpstreamUnreachable extends Error {}

/** Upstream refused the mirror's own credentials (a bad token, or a gate it was not granted). */
export class UpstreamRefused extends Error {}
