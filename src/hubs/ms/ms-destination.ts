import { HttpStatusError, sleep } from "../../core/http/http-client.js";
import { parseAs } from "../../core/http/parse.js";
import type { RepoRef } from "../../core/repo-ref.js";
import type {
  CommitChange,
  DestFile,
  TransferDestination,
  UploadMethod,
  UploadRequest,
} from "../../transfer/types.js";
import { type BodyPiece, meteredPieces } from "../metered-pieces.js";
import { MS_BRANCH, type MsHub, msType } from "./ms-hub.js";
import { MsCommitSchema, MsLfsBatchSchema } from "./ms-schemas.js";

/** The SDK's rule: LFS above 1 MiB, or by suffix (per repo type). */
const LFS_THRESHOLD = 1024 * 1024;
const MODEL_LFS =
  ".7z .arrow .bin .bz2 .ckpt .ftz .gz .h5 .joblib .mlmodel .model .msgpack .npy .npz .onnx .ot .parquet .pb .pickle .pkl .pt .pth .rar .safetensors .tar .tflite .tgz .wasm .xz .zip .zst .gguf".split(
    " ",
  );
const DATASET_LFS =
  ".7z .aac .arrow .audio .bmp .bin .bz2 .flac .ftz .gif .gz .h5 .jack .jpeg .jpg .png .jsonl .joblib .lz4 .msgpack .npy .npz .ot .parquet .pb .pickle .pcm .pkl .raw .rar .sam .tar .tgz .wasm .wav .webm .webp .zip .zst .tiff .mp3 .mp4 .ogg".split(
    " ",
  );
const LFS_BATCH_CHUNK = 64;
/** The files the site writes into a new repo. */
const PLATFORM_NAMES = new Set(["README.md", ".gitattributes", "LICENSE", "configuration.json"]);
const COMMIT_ATTEMPTS = 6;

export class MsDestination implements TransferDestination {
  readonly label: string;
  readonly url: string;

  constructor(
    private readonly hub: MsHub,
    private readonly ref: RepoRef,
  ) {
    this.label = hub.label(ref);
    this.url = hub.webUrl(ref);
  }

  private get repoPath(): string {
    return `${this.hub.endpoint}/api/v1/repos/${msType(this.ref.type)}s/${this.ref.id}`;
  }

  refuses(path: string): string | undefined {
    if (path.split("/").some((s) => s === ".git")) return "ModelScope does not accept paths inside .git/";
    return undefined;
  }

  isLfs(path: string, size: number): boolean {
    const lower = path.toLowerCase();
    const suffixes = msType(this.ref.type) === "dataset" ? DATASET_LFS : MODEL_LFS;
    return size > LFS_THRESHOLD || suffixes.some((s) => lower.endsWith(s));
  }

  async list(): Promise<DestFile[]> {
    return this.hub.listFiles(this.ref, MS_BRANCH);
  }

  /**
   * What ModelScope wrote into the repo when it was created (README.md, .gitattributes, LICENSE,
   * configuration.json), still untouched: a known name whose last commit is the repo's first
   * commit. Both tests are needed: a name alone would also protect a README a user wrote (and
   * the source later dropped); "last touched by the creation commit" alone would also cover
   * whatever a tool put into that first commit. Not readable (no commits listing): none.
   */
  async platformFiles(): Promise<{ path: string; reason: string }[]> {
    const files = await this.list();
    const candidates = files.filter((f) => PLATFORM_NAMES.has(f.path) && f.lastCommit);
    if (!candidates.length) return [];
    const first = await this.hub.creationCommit(this.ref).catch(() => undefined);
    if (!first) return [];
    return candidates
      .filter((f) => f.lastCommit === first)
      .map((f) => ({ path: f.path, reason: "added by ModelScope when the repo was created" }));
  }

  async prepare(files: UploadRequest[], signal: AbortSignal): Promise<UploadMethod[]> {
    const lfs = files.filter((f) => f.size > 0 && this.isLfs(f.path, f.size));
    const hrefs = new Map<string, string>();
    for (let i = 0; i < lfs.length; i += LFS_BATCH_CHUNK) {
      const chunk = lfs.slice(i, i + LFS_BATCH_CHUNK);
      const body = JSON.stringify({
        operation: "upload",
        objects: chunk.map((f) => ({ oid: f.sha256, size: f.size })),
      });
      const res = await this.hub.http.request("POST", `${this.repoPath}/info/lfs/objects/batch`, {
        headers: { "content-type": "application/json" },
        body: () => body,
        retry: true,
        signal,
      });
      for (const o of parseAs(MsLfsBatchSchema, await res.json(), "POST info/lfs/objects/batch").Data
        .objects) {
        if (o.actions?.upload?.href) hrefs.set(o.oid, o.actions.upload.href);
      }
    }
    return files.map((f): UploadMethod => {
      if (!(f.size > 0 && this.isLfs(f.path, f.size))) return { kind: "inline" };
      const href = hrefs.get(f.sha256);
      if (!href) return { kind: "stored" };
      return {
        kind: "single",
        put: async (body, putSignal, onSent) => {
          const res = await this.hub.http.request("PUT", href, {
            headers: { "content-length": String(f.size), "content-type": "application/octet-stream" },
            body: () => body,
            signal: putSignal,
            onBodyBytes: onSent,
          });
          await res.text();
        },
      };
    });
  }

  /** Commits are serialised per repo on ModelScope: "commit lock busy, please try again" is waited out. */
  async commit(
    changes: CommitChange[],
    message: string,
    signal: AbortSignal,
    onSent?: (path: string, n: number) => void,
  ): Promise<string> {
    const actions = changes.map((c) =>
      c.kind === "inline"
        ? {
            action: "create",
            path: c.path,
            type: "normal",
            size: c.content.byteLength,
            sha256: "",
            content: c.content.toString("base64"),
            encoding: "base64",
          }
        : c.kind === "lfs"
          ? {
              action: "create",
              path: c.path,
              type: "lfs",
              size: c.size,
              sha256: c.sha256,
              content: "",
              encoding: "",
            }
          : {
              action: "delete",
              path: c.path,
              type: "normal",
              size: 0,
              sha256: "",
              content: "",
              encoding: "",
            },
    );
    // The same JSON as one JSON.stringify, in pieces, so an inline file's progress follows the body.
    const pieces: BodyPiece[] = [
      { data: Buffer.from(`{"commit_message":${JSON.stringify(message)},"actions":[`) },
      ...actions.map((a, i): BodyPiece => {
        const c = changes[i]!;
        return {
          data: Buffer.from(`${i ? "," : ""}${JSON.stringify(a)}`),
          file: c.kind === "inline" ? { path: c.path, bytes: c.content.byteLength } : undefined,
        };
      }),
      { data: Buffer.from("]}") },
    ];
    const length = pieces.reduce((n, p) => n + p.data.byteLength, 0);
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.hub.http.request("POST", `${this.repoPath}/commit/${MS_BRANCH}`, {
          headers: { "content-type": "application/json", "content-length": String(length) },
          body: () => meteredPieces(pieces, onSent),
          signal,
        });
        const data = parseAs(MsCommitSchema, await res.json(), "POST commit").Data;
        return String(data?.oid ?? data?.CommitId ?? "");
      } catch (err) {
        const busy =
          err instanceof HttpStatusError && (err.status === 429 || /try again/i.test(err.bodyText));
        if (!busy || attempt >= COMMIT_ATTEMPTS) throw err;
        const after = Number(err instanceof HttpStatusError ? err.headers["retry-after"] : NaN);
        await sleep(Number.isFinite(after) ? after * 1000 : Math.min(30_000, 500 * 2 ** attempt), signal);
      }
    }
  }
}
