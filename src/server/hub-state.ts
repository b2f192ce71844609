import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_SESSION_TTL_SECONDS, SessionTable } from "./auth/sessions.js";
import type { UserTable } from "./auth/users.js";
import { FaultInjector } from "./http/faults.js";
import { RateLimiter, type RateLimits, UNLIMITED } from "./http/rate-limit.js";
import { UrlSigner } from "./http/signed-url.js";
import { MultipartSessions } from "./lfs/multipart-sessions.js";
import type { PartWriter } from "./lfs/part-writer.js";
import type { RunningHash } from "./lfs/running-hash.js";
import type { Mirror } from "./mirror/mirror.js";
import { BlobStore } from "./store/blob-store.js";
import { RepoStore } from "./store/repo-store.js";
import { XetIndex } from "./xet/xet-index.js";
import { XetTokens } from "./xet/xet-tokens.js";

export interface HubOptions {
  /** Files at least this large are stored as LFS (besides .gitattributes patterns and binary files). */
  lfsThreshold: number;
  /** LFS objects at least this large are uploaded in parts (when the client offers multipart). */
  multipartThreshold: number;
  /** Size of each part of a multipart upload. */
  multipartChunkSize: number;
  /** Entries per page of tree listings (the real hub: 1000, 50 with expand). */
  treePageSize: number;
  /** Items per page of repo search results when no `limit` is given. */
  searchPageSize: number;
  /** Accept the fault-injection admin API. */
  enableFaults: boolean;
  rateLimits: RateLimits;
  /** How long a ModelScope login session (the `m_session_id` cookie) lasts. */
  sessionTtlSeconds: number;
  /** Overrides the scheme+host used in absolute URLs (defaults to the request's Host). */
  publicUrl?: string;
  /** Largest LFS object accepted (declared sizes over it are refused before a byte is written). */
  maxObjectSize: number;
  /** Uploads are refused (507) when they would leave less free disk than this under the store. */
  minFreeDisk: number;
  /** A multipart upload untouched for this long is dropped and its parts deleted. */
  uploadExpirySeconds: number;
  /** Serialized bytes per Xet xorb at most (the spec's 64 MiB; smaller only to test several xorbs). */
  xetXorbMaxBytes: number;
  /** Serve Xet downloads (and compute each LFS blob's Xet layout in the background). */
  xet: boolean;
}

export const DEFAULT_HUB_OPTIONS: HubOptions = {
  lfsThreshold: 10 * 1024 * 1024,
  multipartThreshold: 64 * 1024 * 1024,
  multipartChunkSize: 16 * 1024 * 1024,
  treePageSize: 1000,
  searchPageSize: 1000,
  enableFaults: false,
  rateLimits: UNLIMITED,
  maxObjectSize: 500 * 1024 ** 3,
  minFreeDisk: 1024 ** 3,
  uploadExpirySeconds: 3600,
  xetXorbMaxBytes: 64 * 1024 * 1024,
  xet: true,
  sessionTtlSeconds: DEFAULT_SESSION_TTL_SECONDS,
};

export interface MultipartSession {
  id: string;
  /** The repo (objectId) it was opened for: the completed object is granted to that repo. */
  repo: string;
  sha256: string;
  size: number;
  chunkSize: number;
  partCount: number;
  dir: string;
  /** The object, pre-sized: each part is written at its offset, completion renames it. */
  file: string;
  /** sha256 of the object's prefix received so far: completion reads nothing back. */
  hash: RunningHash;
  /** Parts received whole, with the ETag handed out for each. */
  parts: Map<number, { etag: string }>;
  /** The attempt writing each part right now (a new attempt at a part stops the old one). */
  writers: Map<number, PartWriter>;
  /** Completion has begun: the file is about to become the blob, no part may write into it. */
  completing: boolean;
  /** Last time a request touched it (expiry counts from there). */
  touched: number;
  /** Requests writing or completing it right now: never expired under their feet. */
  busy: number;
}

/** Everything the request handlers of both faces share. */
export class HubState {
  readonly blobs: BlobStore;
  readonly repos: RepoStore;
  readonly faults = new FaultInjector();
  readonly rateLimiter: RateLimiter;
  readonly multipart: MultipartSessions;
  readonly requestCounts = new Map<string, number>();
  readonly sessions: SessionTable;
  signer!: UrlSigner;
  xetTokens!: XetTokens;
  /** Xet layouts of LFS blobs, computed in the background (see XetIndex). */
  readonly xet: XetIndex;
  /** The pull-through mirror, when the hub mirrors an upstream (serve --mirror). */
  mirror: Mirror | undefined;

  constructor(
    readonly root: string,
    readonly users: UserTable,
    readonly options: HubOptions,
  ) {
    this.blobs = new BlobStore(root);
    this.repos = new RepoStore(root);
    this.rateLimiter = new RateLimiter(options.rateLimits);
    this.multipart = new MultipartSessions(join(root, "tmp"), options.uploadExpirySeconds * 1000);
    this.sessions = new SessionTable(options.sessionTtlSeconds);
    this.xet = new XetIndex(
      root,
      this.blobs,
      { maxBytes: options.xetXorbMaxBytes, maxChunks: 8192 },
      options.xet,
    );
    // A commit's new LFS objects get their Xet layout soon after, off the request's path.
    this.repos.onLfsObjects = (sha256s) => this.xet.enqueue(sha256s);
  }

  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await writeFile(join(this.root, "HUBFERRY-STORE"), "hubferry local hub store, format 1\n");
    const key = await this.loadSecret();
    this.signer = new UrlSigner(key);
    this.xetTokens = new XetTokens(key);
    await this.blobs.init();
    await this.repos.init();
    await this.xet.init();
  }

  /** The URL-signing key survives restarts so that hrefs handed out stay valid until they expire. */
  private async loadSecret(): Promise<Buffer> {
    const file = join(this.root, "signing-key");
    try {
      const key = Buffer.from((await readFile(file, "utf8")).trim(), "hex");
      if (key.length === 32) return key;
    } catch {
      // first start
    }
    const key = randomBytes(32);
    await writeFile(file, key.toString("hex"), { mode: 0o600 });
    return key;
  }
}
