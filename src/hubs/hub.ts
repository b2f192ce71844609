import type { RepoRef } from "../core/repo-ref.js";
import type { SourceFile, TransferDestination, TransferSource } from "../transfer/types.js";

/**
 * Another repo on the same hub, whose stored objects a destination may take by the hub's own
 * server-side copy instead of uploading them (Hugging Face `lfs-files/duplicate`).
 */
export interface CopySource {
  ref: RepoRef;
  /** That repo's files: the hub asks for their hashes (sha256, Xet) and paths. */
  files: () => Promise<SourceFile[]>;
}

export interface WhoAmI {
  name: string;
  orgs: string[];
  /** Whether the token may write at all (HF token role); undefined when the hub does not say. */
  canWrite?: boolean;
  /** The token's role as the hub states it (read, write, admin, fineGrained). */
  role?: string;
  /** The token's own name, when the hub names tokens (HF). */
  tokenName?: string;
}

export interface RepoInfo {
  id: string;
  type: RepoRef["type"];
  private: boolean;
  /** Head commit of the asked revision. */
  sha: string;
  /** The branch or revision name reads use. */
  revision: string;
  sdk?: string;
}

export type SearchSort = "downloads" | "likes" | "updated" | "created";

/** A search as a user states it; each hub maps it onto its own query parameters. */
export interface SearchQuery {
  type: RepoRef["type"];
  text?: string;
  author?: string;
  task?: string;
  library?: string;
  language?: string;
  /** A dataset size category (`1K<n<10K`, `n>1T`). */
  size?: string;
  /** A space SDK (gradio, streamlit, docker, static). */
  sdk?: string;
  sort?: SearchSort;
  limit: number;
}

export interface SearchHit {
  id: string;
  type: RepoRef["type"];
  downloads?: number;
  likes?: number;
  /** ISO date of the last change. */
  updated?: string;
  task?: string;
  private?: boolean;
}

/** What a user checks before pulling: repo info plus the card and the hub's own facts. */
export interface RepoDetails extends RepoInfo {
  gated: boolean | string;
  license?: string;
  lastModified?: string;
  downloads?: number;
  likes?: number;
  tags: string[];
  task?: string;
  library?: string;
  /** The README front matter. */
  card?: Record<string, unknown>;
}

/**
 * One hub behind one interface, the way rclone puts each storage behind `Fs`: who am I, what is
 * this repo, its files (as a transfer source), a repo to create, and a transfer destination.
 */
export interface Hub {
  readonly name: "hf" | "ms";
  readonly endpoint: string;
  whoami(): Promise<WhoAmI>;
  /** Repo info with card metadata, license, gating and counters (one request on either hub). */
  repoInfo(ref: RepoRef, revision?: string): Promise<RepoDetails>;
  search(query: SearchQuery): Promise<SearchHit[]>;
  /** Every repo of a user or org that this token can see, of one type (ids `owner/name`). */
  listRepos(owner: string, type: RepoRef["type"]): Promise<string[]>;
  /** Finds a repo's type by asking for each kind, when the user did not say it. */
  detectType(ref: RepoRef): Promise<RepoRef["type"]>;
  createRepo(
    ref: RepoRef,
    opts: { private: boolean; sdk?: string; license?: string },
  ): Promise<{ created: boolean }>;
  /** Throws FORBIDDEN unless the token can write to this (existing) repo. */
  checkWritable(ref: RepoRef): Promise<void>;
  /** The repo at a revision as a transfer source, with the repo info it was pinned from. */
  source(ref: RepoRef, revision?: string): Promise<TransferSource & { info: RepoDetails }>;
  /** The repo at the commit `info` names, as a source, without asking the hub again (a cache has it). */
  sourceFromInfo(ref: RepoRef, info: RepoDetails): TransferSource & { info: RepoDetails };
  destination(ref: RepoRef, opts?: { copyFrom?: CopySource }): TransferDestination;
  webUrl(ref: RepoRef): string;
  /**
   * A copy of a whole repo made by the hub itself, into a repo that does not exist yet (history
   * kept, no bytes through this process), where the hub offers one (Hugging Face's duplicate).
   * Throws when the hub refuses; the caller then streams instead. `pending`: the hub said its
   * files are still being copied.
   */
  duplicateRepo?(
    from: RepoRef,
    to: RepoRef,
    opts: { private: boolean },
    signal?: AbortSignal,
  ): Promise<{ pending: boolean }>;
}
