import { HttpStatusError } from "../../core/http/http-client.js";
import { parseAs } from "../../core/http/parse.js";
import type { RepoRef } from "../../core/repo-ref.js";
import { hfUrlPrefix } from "../../core/repo-type.js";
import type {
  CommitChange,
  DestFile,
  TransferDestination,
  UploadMethod,
  UploadRequest,
} from "../../transfer/types.js";
import type { CopySource } from "../hub.js";
import { type BodyPiece, meteredPieces } from "../metered-pieces.js";
import type { HfHub } from "./hf-hub.js";
import { copyLfsObjects } from "./hf-lfs-copy.js";
import { CommitResponseSchema, LfsBatchSchema, PreuploadSchema } from "./hf-schemas.js";

const PREUPLOAD_CHUNK = 256;
const LFS_BATCH_CHUNK = 100;
const BRANCH = "main";

/**
 * Writing to a Hugging Face repo with the hub's own upload protocol: preupload decides inline vs
 * LFS; the LFS batch API hands out basic or multipart URLs; an NDJSON commit records the result.
 */
export class HfDestination implements TransferDestination {
  readonly label: string;
  readonly url: string;
  readonly wantsSample = true;

  constructor(
    private readonly hub: HfHub,
    private readonly ref: RepoRef,
    /** A repo on this hub whose LFS objects are taken by a server-side copy rather than uploaded. */
    private readonly copyFrom?: CopySource,
  ) {
    this.label = `hf:${hfUrlPrefix(ref.type)}${ref.id}`;
    this.url = hub.webUrl(ref);
  }

  refuses(path: string): string | undefined {
    if (path.split("/").some((s) => s === ".git"))
      return "the Hugging Face Hub does not accept paths inside .git/";
    return undefined;
  }

  async list(): Promise<DestFile[]> {
    const info = await this.hub.repoInfo(this.ref, BRANCH);
    return this.hub.listFiles(this.ref, info.sha);
  }

  async prepare(files: UploadRequest[], signal: AbortSignal): Promise<UploadMethod[]> {
    const modes = new Map<string, "lfs" | "regular">();
    for (let i = 0; i < files.length; i += PREUPLOAD_CHUNK) {
      const chunk = files.slice(i, i + PREUPLOAD_CHUNK);
      const body = JSON.stringify({
        files: chunk.map((f) => ({ path: f.path, size: f.size, sample: f.sample.toString("base64") })),
      });
      const res = await this.hub.http.request("POST", `${this.hub.apiRepo(this.ref)}/preupload/${BRANCH}`, {
        headers: { "content-type": "application/json" },
        body: () => body,
        retry: true,
        signal,
      });
      for (const f of parseAs(PreuploadSchema, await res.json(), "POST preupload").files)
        modes.set(f.path, f.uploadMode);
    }
    const lfs = files.filter((f) => modes.get(f.path) === "lfs" && f.size > 0);
    // Objects the hub copies itself are then "already stored" in the batch below: nothing is sent.
    if (this.copyFrom && lfs.length)
      await copyLfsObjects(
        this.hub,
        this.copyFrom,
        this.ref,
        lfs.map((f) => f.sha256),
        signal,
      );
    const methods = new Map<string, UploadMethod>();
    for (let i = 0; i < lfs.length; i += LFS_BATCH_CHUNK) {
      const chunk = lfs.slice(i, i + LFS_BATCH_CHUNK);
      const body = JSON.stringify({
        operation: "upload",
        transfers: ["basic", "multipart"],
        objects: chunk.map((f) => ({ oid: f.sha256, size: f.size })),
        hash_algo: "sha256",
        ref: { name: BRANCH },
      });
      const res = await this.hub.http.request(
        "POST",
        `${this.hub.endpoint}/${hfUrlPrefix(this.ref.type)}${this.ref.id}.git/info/lfs/objects/batch`,
        {
          headers: { accept: "application/vnd.git-lfs+json", "content-type": "application/vnd.git-lfs+json" },
          body: () => body,
          retry: true,
          signal,
        },
      );
      const batch = parseAs(LfsBatchSchema, await res.json(), "POST .git/info/lfs/objects/batch");
      for (const o of batch.objects) {
        const f = chunk.find((x) => x.sha256 === o.oid);
        if (!f) continue;
        if (o.error)
          throw new HttpStatusError(
            o.error.code,
            {},
            o.error.message,
            `LFS batch refused ${f.path}: ${o.error.message}`,
          );
        methods.set(o.oid, this.uploadMethod(f, o.actions ?? undefined));
      }
    }
    return files.map((f) =>
      modes.get(f.path) === "lfs" && f.size > 0
        ? (methods.get(f.sha256) ?? { kind: "stored" })
        : { kind: "inline" },
    );
  }

  private uploadMethod(
    f: UploadRequest,
    actions:
      | { upload?: { href: string; header?: Record<string, string> | null }; verify?: { href: string } }
      | undefined,
  ): UploadMethod {
    const upload = actions?.upload;
    if (!upload) return { kind: "stored" };
    const verify = async (signal: AbortSignal) => {
      if (!actions?.verify) return;
      const body = JSON.stringify({ oid: f.sha256, size: f.size });
      const res = await this.hub.http.request("POST", actions.verify.href, {
        headers: { "content-type": "application/vnd.git-lfs+json" },
        body: () => body,
        retry: true,
        signal,
      });
      res.body.resume();
    };
    const header = upload.header ?? {};
    if (header.chunk_size) {
      const partSize = Number(header.chunk_size);
      const partUrls = Object.keys(header)
        .filter((k) => /^\d+$/.test(k))
        .sort((a, b) => Number(a) - Number(b))
        .map((k) => header[k]!);
      return {
        kind: "parts",
        partSize,
        partCount: partUrls.length,
        putPart: async (index, data, signal, onSent, size) => {
          const buffered = Buffer.isBuffer(data);
          const res = await this.hub.http.request("PUT", partUrls[index]!, {
            headers: { "content-length": String(buffered ? data.byteLength : size) },
            body: () => data,
            // A stream cannot be sent twice: its caller re-sends the part from memory instead.
            retry: buffered,
            signal,
            onBodyBytes: onSent,
          });
          res.body.resume();
          const etag = res.headers.etag;
          if (!etag)
            throw new HttpStatusError(
              502,
              res.headers,
              "",
              `PUT part ${index + 1} of ${f.path}: no ETag in the answer`,
            );
          return String(etag);
        },
        complete: async (etags, signal) => {
          const body = JSON.stringify({
            oid: f.sha256,
            parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })),
          });
          const res = await this.hub.http.request("POST", upload.href, {
            headers: {
              accept: "application/vnd.git-lfs+json",
              "content-type": "application/vnd.git-lfs+json",
            },
            body: () => body,
            retry: true,
            signal,
          });
          res.body.resume();
          await verify(signal);
        },
      };
    }
    return {
      kind: "single",
      put: async (body, signal, onSent) => {
        const res = await this.hub.http.request("PUT", upload.href, {
          headers: { "content-length": String(f.size), "content-type": "application/octet-stream" },
          body: () => body,
          signal,
          onBodyBytes: onSent,
        });
        res.body.resume();
        await verify(signal);
      },
    };
  }

  async commit(
    changes: CommitChange[],
    message: string,
    signal: AbortSignal,
    onSent?: (path: string, n: number) => void,
  ): Promise<string> {
    const line = (o: unknown) => Buffer.from(`${JSON.stringify(o)}\n`);
    // Made line by line as the body is sent (a batch of small files can be tens of MB).
    function* pieces(): Generator<BodyPiece> {
      yield { data: line({ key: "header", value: { summary: message, description: "" } }) };
      for (const c of changes) {
        if (c.kind === "inline")
          yield {
            data: line({
              key: "file",
              value: { path: c.path, encoding: "base64", content: c.content.toString("base64") },
            }),
            file: { path: c.path, bytes: c.content.byteLength },
          };
        else if (c.kind === "lfs")
          yield {
            data: line({
              key: "lfsFile",
              value: { path: c.path, algo: "sha256", oid: c.sha256, size: c.size },
            }),
          };
        else yield { data: line({ key: "deletedFile", value: { path: c.path } }) };
      }
    }
    const res = await this.hub.http.request("POST", `${this.hub.apiRepo(this.ref)}/commit/${BRANCH}`, {
      headers: { "content-type": "application/x-ndjson" },
      body: () => meteredPieces(pieces(), onSent),
      signal,
    });
    return parseAs(CommitResponseSchema, await res.json(), "POST commit").commitOid;
  }
}
