import { HubferryError } from "../../core/errors.js";
import {
  HttpClient,
  type HttpEvents,
  HttpStatusError,
  nextLink,
  type RetryPolicy,
} from "../../core/http/http-client.js";
import { parseAs } from "../../core/http/parse.js";
import { listOnce } from "../../core/list-once.js";
import type { RepoRef } from "../../core/repo-ref.js";
import { hfUrlPrefix, type RepoType } from "../../core/repo-type.js";
import type { ReadHints, SourceFile, TransferDestination, TransferSource } from "../../transfer/types.js";
import type { CopySource, Hub, RepoDetails, SearchHit, SearchQuery, WhoAmI } from "../hub.js";
import { HfDestination } from "./hf-destination.js";
import {
  DuplicateResponseSchema,
  RepoDetailsSchema,
  RepoListSchema,
  TreeEntrySchema,
  WhoAmISchema,
} from "./hf-schemas.js";
import { hfSearch } from "./hf-search.js";

export const USER_AGENT = "hubferry/0.1";
const INVALID_CREDENTIALS = "Invalid credentials in Authorization header";

/** The Hugging Face Hub, spoken as huggingface_hub speaks it (LFS basic/multipart, no Xet). */
export class HfHub implements Hub {
  readonly name = "hf" as const;
  readonly http: HttpClient;

  constructor(
    readonly endpoint: string,
    private readonly token: string | undefined,
    events?: HttpEvents,
    /** The variable hints name for the token: another one for a destination on another endpoint. */
    private readonly tokenVar = "HF_TOKEN",
    /** How hard to retry (a mirror gives up fast: it has a store to answer from). */
    policy?: RetryPolicy,
  ) {
    this.http = new HttpClient({ origin: endpoint, token, userAgent: USER_AGENT, events, policy });
  }

  apiRepo(ref: { type: RepoType; id: string }): string {
    return `${this.endpoint}/api/${ref.type}s/${ref.id}`;
  }

  webUrl(ref: RepoRef): string {
    return `${this.endpoint}/${hfUrlPrefix(ref.type)}${ref.id}`;
  }

  /** Turns HF error responses into errors that say what to do. */
  explain(err: unknown, ref: RepoRef, what: string): never {
    if (err instanceof HttpStatusError) {
      const code = String(err.headers["x-error-code"] ?? "");
      const label = `hf:${hfUrlPrefix(ref.type)}${ref.id}`;
      // huggingface_hub (utils/_http.py) tells a refused token from a hidden repo by this message.
      if (err.status === 401 && err.headers["x-error-message"] === INVALID_CREDENTIALS) this.refused(what);
      if (code === "RepoNotFound" || (err.status === 404 && !code)) {
        throw new HubferryError(
          "REPO_NOT_FOUND",
          `${label} was not found (or it is private and this token cannot see it)`,
          `check the id and --repo-type, and that ${this.tokenVar} belongs to an account with access`,
        );
      }
      if (code === "RevisionNotFound")
        throw new HubferryError(
          "REVISION_NOT_FOUND",
          `${label} has no revision "${what}"`,
          "check --revision (a branch, tag or commit)",
        );
      if (code === "GatedRepo")
        throw new HubferryError(
          "FORBIDDEN",
          `${label} is gated and this account has not been granted access`,
          `ask for access at ${this.webUrl(ref)}`,
        );
      if (err.status === 401) this.refused(what);
      if (err.status === 403)
        throw new HubferryError(
          "FORBIDDEN",
          `Hugging Face does not let this token ${what} ${label}`,
          "use a token with write access to that namespace",
        );
    }
    throw err;
  }

  private refused(what: string): never {
    throw new HubferryError(
      "AUTH_INVALID",
      `Hugging Face refused the token while trying to ${what}`,
      `set ${this.tokenVar} to a valid token (https://huggingface.co/settings/tokens)`,
    );
  }

  async whoami(): Promise<WhoAmI> {
    if (!this.token)
      throw new HubferryError(
        "AUTH_MISSING",
        this.tokenVar === "HF_TOKEN" ? "no Hugging Face token" : `no token for ${this.endpoint}`,
        this.tokenVar === "HF_TOKEN"
          ? "set HF_TOKEN or run `hf auth login`; get a token at https://huggingface.co/settings/tokens"
          : `set ${this.tokenVar} to a token for ${this.endpoint}`,
      );
    try {
      const res = await this.http.request("GET", `${this.endpoint}/api/whoami-v2`, { retry: true });
      const me = parseAs(WhoAmISchema, await res.json(), "GET /api/whoami-v2");
      const role = me.auth?.accessToken?.role;
      return {
        name: me.name,
        orgs: me.orgs.map((o) => o.name),
        canWrite: role ? role !== "read" : undefined,
        role,
        tokenName: me.auth?.accessToken?.displayName,
      };
    } catch (err) {
      if (err instanceof HttpStatusError && err.status === 401) {
        throw new HubferryError(
          "AUTH_INVALID",
          "Hugging Face refused the token (HTTP 401)",
          `set ${this.tokenVar} to a valid token (https://huggingface.co/settings/tokens)`,
        );
      }
      throw err;
    }
  }

  /** Repo info with the card, license, gating and counters: one request. */
  async repoInfo(ref: RepoRef, revision?: string): Promise<RepoDetails> {
    const url = revision
      ? `${this.apiRepo(ref)}/revision/${encodeURIComponent(revision)}`
      : this.apiRepo(ref);
    try {
      const res = await this.http.request("GET", url, { retry: true });
      const d = parseAs(RepoDetailsSchema, await res.json(), `GET /api/${ref.type}s/{id}`);
      const card = d.cardData ?? undefined;
      const license =
        typeof card?.license === "string"
          ? card.license
          : d.tags?.find((t) => t.startsWith("license:"))?.slice("license:".length);
      return {
        id: d.id,
        type: ref.type,
        private: d.private ?? false,
        sha: d.sha,
        revision: revision ?? "main",
        sdk: d.sdk ?? undefined,
        gated: d.gated ?? false,
        license,
        lastModified: d.lastModified ?? undefined,
        downloads: d.downloads ?? undefined,
        likes: d.likes ?? undefined,
        tags: d.tags ?? [],
        task: d.pipeline_tag ?? undefined,
        library: d.library_name ?? undefined,
        card,
      };
    } catch (err) {
      this.explain(err, ref, revision ?? "read");
    }
  }

  search(query: SearchQuery): Promise<SearchHit[]> {
    return hfSearch(this, query);
  }

  async listRepos(owner: string, type: RepoType): Promise<string[]> {
    const ids: string[] = [];
    let url: string | undefined =
      `${this.endpoint}/api/${type}s?author=${encodeURIComponent(owner)}&limit=1000`;
    while (url) {
      const res = await this.http.request("GET", url, { retry: true });
      for (const item of parseAs(RepoListSchema, await res.json(), `GET /api/${type}s?author=`))
        ids.push(item.id);
      url = nextLink(res);
    }
    return ids.filter((id) => id.startsWith(`${owner}/`)).sort();
  }

  async detectType(ref: RepoRef): Promise<RepoType> {
    for (const type of ["model", "dataset", "space"] as const) {
      const res = await this.http.request("GET", this.apiRepo({ type, id: ref.id }), {
        retry: true,
        accept: [401, 404],
      });
      res.body.resume();
      if (res.status < 300) return type;
      if (res.status === 401 && res.headers["x-error-message"] === INVALID_CREDENTIALS) this.refused("read");
    }
    // A 401 for every kind with a token present: the token itself may be the reason.
    if (this.token) await this.whoami();
    throw new HubferryError(
      "REPO_NOT_FOUND",
      `hf:${ref.id} was not found as a model, dataset or space (or it is private and this token cannot see it)`,
      "check the id, or say the type with --repo-type",
    );
  }

  async listFiles(ref: RepoRef, sha: string): Promise<SourceFile[]> {
    const files: SourceFile[] = [];
    let url: string | undefined = `${this.apiRepo(ref)}/tree/${sha}?recursive=true&expand=false`;
    while (url) {
      const res = await this.http
        .request("GET", url, { retry: true })
        .catch((err) => this.explain(err, ref, "list"));
      const entries = parseAs(TreeEntrySchema.array(), await res.json(), `GET /api/${ref.type}s/{id}/tree`);
      for (const e of entries) {
        if (e.type !== "file") continue;
        files.push(
          e.lfs
            ? {
                path: e.path,
                size: e.lfs.size,
                sha256: e.lfs.oid,
                lfs: true,
                ...(e.xetHash ? { xetHash: e.xetHash } : {}),
              }
            : { path: e.path, size: e.size ?? 0, gitOid: e.oid, lfs: false },
        );
      }
      url = nextLink(res);
    }
    return files;
  }

  async read(
    ref: RepoRef,
    sha: string,
    path: string,
    start: number,
    end: number,
    signal?: AbortSignal,
    hints?: ReadHints,
  ): Promise<AsyncIterable<Uint8Array>> {
    const url = `${this.endpoint}/${hfUrlPrefix(ref.type)}${ref.id}/resolve/${sha}/${path.split("/").map(encodeURIComponent).join("/")}`;
    try {
      return await this.http.getRange(url, start, end, path, signal, hints?.refuseFast);
    } catch (err) {
      // A gate, a refused token or a hidden repo says so here as for repo info.
      this.explain(err, ref, "read");
    }
  }

  async source(ref: RepoRef, revision?: string): Promise<TransferSource & { info: RepoDetails }> {
    return this.sourceFromInfo(ref, await this.repoInfo(ref, revision));
  }

  sourceFromInfo(ref: RepoRef, info: RepoDetails): TransferSource & { info: RepoDetails } {
    return {
      info,
      label: `hf:${hfUrlPrefix(ref.type)}${ref.id}@${info.sha.slice(0, 8)}`,
      revision: info.sha,
      // Pinned to a commit: its listing never changes.
      list: listOnce(() => this.listFiles(ref, info.sha)),
      // A CDN caps each connection: large files read faster in several ranges at once.
      parallelRanges: true,
      read: (path, start, end, signal, hints) => this.read(ref, info.sha, path, start, end, signal, hints),
    };
  }

  async createRepo(ref: RepoRef, opts: { private: boolean; sdk?: string }): Promise<{ created: boolean }> {
    const [namespace, name] = ref.id.split("/") as [string, string];
    const body = JSON.stringify({
      name,
      organization: namespace,
      type: ref.type,
      visibility: opts.private ? "private" : "public",
      ...(ref.type === "space" ? { sdk: opts.sdk ?? "static" } : {}),
    });
    try {
      const res = await this.http.request("POST", `${this.endpoint}/api/repos/create`, {
        headers: { "content-type": "application/json" },
        body: () => body,
        accept: [409],
      });
      res.body.resume();
      return { created: res.status !== 409 };
    } catch (err) {
      this.explain(err, ref, "create");
    }
  }

  /** As huggingface_hub's duplicate_repo: the source's endpoint, the target's id and visibility. */
  async duplicateRepo(
    from: RepoRef,
    to: RepoRef,
    opts: { private: boolean },
    signal?: AbortSignal,
  ): Promise<{ pending: boolean }> {
    const body = JSON.stringify({ repository: to.id, visibility: opts.private ? "private" : "public" });
    try {
      // Not retried: a lost answer to a copy that happened would be a 409 on the second try.
      const res = await this.http.request("POST", `${this.apiRepo(from)}/duplicate`, {
        headers: { "content-type": "application/json" },
        body: () => body,
        signal,
      });
      const answer = parseAs(DuplicateResponseSchema, await res.json(), "POST duplicate");
      return { pending: answer.filesCopyPending === true };
    } catch (err) {
      // The source was just read: a 404 here is a hub without the route, not a missing repo.
      if (err instanceof HttpStatusError && [404, 405, 501].includes(err.status))
        throw new HubferryError("SERVER", `this hub offers no server-side duplicate (HTTP ${err.status})`);
      this.explain(err, from, "read");
    }
  }

  async checkWritable(ref: RepoRef): Promise<void> {
    // An empty preupload needs write access and changes nothing.
    try {
      const res = await this.http.request("POST", `${this.apiRepo(ref)}/preupload/main`, {
        headers: { "content-type": "application/json" },
        body: () => JSON.stringify({ files: [] }),
        retry: true,
      });
      res.body.resume();
    } catch (err) {
      this.explain(err, ref, "write to");
    }
  }

  destination(ref: RepoRef, opts: { copyFrom?: CopySource } = {}): TransferDestination {
    return new HfDestination(this, ref, opts.copyFrom);
  }
}
