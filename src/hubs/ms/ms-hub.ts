import { HubferryError } from "../../core/errors.js";
import {
  HttpClient,
  type HttpEvents,
  type HttpResponse,
  HttpStatusError,
  type RetryPolicy,
} from "../../core/http/http-client.js";
import { parseAs } from "../../core/http/parse.js";
import { listOnce } from "../../core/list-once.js";
import { parseRepoCard } from "../../core/repo-card.js";
import type { RepoRef } from "../../core/repo-ref.js";
import type { RepoType } from "../../core/repo-type.js";
import type { ReadHints, SourceFile, TransferDestination, TransferSource } from "../../transfer/types.js";
import type { Hub, RepoDetails, SearchHit, SearchQuery, WhoAmI } from "../hub.js";
import { MsDestination } from "./ms-destination.js";
import { msLicenseFor } from "./ms-license.js";
import {
  MsCommitsSchema,
  MsFilesSchema,
  MsLoginSchema,
  MsRepoDetailsSchema,
  MsRepoListSchema,
  MsUserSchema,
} from "./ms-schemas.js";
import { msSearch } from "./ms-search.js";

const USER_AGENT = "hubferry/0.1";
export const MS_BRANCH = "master";

/** ModelScope has models and datasets; a Hugging Face space lands there as a model. */
export function msType(type: RepoType): "model" | "dataset" {
  return type === "dataset" ? "dataset" : "model";
}

/**
 * ModelScope, spoken as its official SDK speaks it: `/api/v1` for repos, listings (with the
 * content sha256 of every file), downloads and uploads (LFS batch, blob PUT, JSON commit).
 */
export class MsHub implements Hub {
  readonly name = "ms" as const;
  readonly http: HttpClient;

  constructor(
    readonly endpoint: string,
    private readonly token: string | undefined,
    events?: HttpEvents,
    /** The variable hints name for the token: another one for a destination on another endpoint. */
    private readonly tokenVar = "MODELSCOPE_API_TOKEN",
    /** How hard to retry (a mirror gives up fast: it has a store to answer from). */
    policy?: RetryPolicy,
  ) {
    this.http = new HttpClient({
      origin: endpoint,
      token,
      userAgent: USER_AGENT,
      events,
      policy,
      // The real site wants both on uploads; the local hub takes either.
      authHeaders: (t) => ({ authorization: `Bearer ${t}`, cookie: `m_session_id=${t}` }),
    });
  }

  apiRepo(ref: { type: RepoType; id: string }): string {
    return `${this.endpoint}/api/v1/${msType(ref.type)}s/${ref.id}`;
  }

  webUrl(ref: RepoRef): string {
    return `${this.endpoint}/${msType(ref.type)}s/${ref.id}`;
  }

  label(ref: RepoRef): string {
    return `ms:${ref.type === "dataset" ? "datasets/" : ""}${ref.id}`;
  }

  explain(err: unknown, ref: RepoRef, what: string): never {
    if (err instanceof HttpStatusError) {
      if (err.status === 404) {
        throw new HubferryError(
          "REPO_NOT_FOUND",
          `${this.label(ref)} was not found (or it is private and this token cannot see it)`,
          `check the id and --repo-type, and that ${this.tokenVar} belongs to an account with access`,
        );
      }
      if (err.status === 401)
        throw new HubferryError(
          "AUTH_INVALID",
          `ModelScope refused the token while trying to ${what}`,
          `set ${this.tokenVar} to a valid token (https://modelscope.cn/my/myaccesstoken)`,
        );
      if (err.status === 403)
        throw new HubferryError(
          "FORBIDDEN",
          `ModelScope does not let this token ${what} ${this.label(ref)}`,
          "use a token of an account that can write to that namespace",
        );
    }
    throw err;
  }

  async whoami(): Promise<WhoAmI> {
    if (!this.token)
      throw new HubferryError(
        "AUTH_MISSING",
        this.tokenVar === "MODELSCOPE_API_TOKEN" ? "no ModelScope token" : `no token for ${this.endpoint}`,
        `set ${this.tokenVar}; get a token at https://modelscope.cn/my/myaccesstoken`,
      );
    try {
      const res = await this.http.request("GET", `${this.endpoint}/openapi/v1/users/me`, { retry: true });
      return {
        name: parseAs(MsUserSchema, await res.json(), "GET /openapi/v1/users/me").data.username,
        orgs: [],
      };
    } catch (err) {
      if (err instanceof HttpStatusError && err.status === 401) {
        throw new HubferryError(
          "AUTH_INVALID",
          "ModelScope refused the token (HTTP 401)",
          `set ${this.tokenVar} to a valid token (https://modelscope.cn/my/myaccesstoken)`,
        );
      }
      throw err;
    }
  }

  /** `POST /api/v1/login`, as `HubApi().login` does: who the token is, and its git token. */
  async sessionLogin(): Promise<{ username: string; email?: string; gitToken?: string }> {
    if (!this.token) return this.whoami().then(() => ({ username: "" }));
    try {
      const res = await this.http.request("POST", `${this.endpoint}/api/v1/login`, {
        headers: { "content-type": "application/json" },
        body: () => JSON.stringify({ AccessToken: this.token }),
      });
      const d = parseAs(MsLoginSchema, await res.json(), "POST /api/v1/login").Data;
      return { username: d.Username, email: d.Email ?? undefined, gitToken: d.AccessToken ?? undefined };
    } catch (err) {
      if (err instanceof HttpStatusError && (err.status === 401 || err.status === 400 || err.status === 403))
        throw new HubferryError(
          "AUTH_INVALID",
          `ModelScope refused the token (HTTP ${err.status})`,
          "copy a valid token from https://modelscope.cn/my/myaccesstoken",
        );
      throw err;
    }
  }

  /** One request: the revision's commit, visibility, and the card and counters `info` shows. */
  async repoInfo(ref: RepoRef, revision?: string): Promise<RepoDetails> {
    if (ref.type === "space")
      throw new HubferryError(
        "BAD_INPUT",
        "ModelScope studios cannot be read through the API",
        "migrate a model or a dataset from ModelScope",
      );
    const url = `${this.apiRepo(ref)}${revision ? `?Revision=${encodeURIComponent(revision)}` : ""}`;
    try {
      const res = await this.http.request("GET", url, { retry: true });
      const d = parseAs(MsRepoDetailsSchema, await res.json(), `GET /api/v1/${msType(ref.type)}s/{id}`).Data;
      const card = d.ReadMeContent ? parseRepoCard(d.ReadMeContent).data : undefined;
      const sha = d.Revision && /^[0-9a-f]{40}$/.test(d.Revision) ? d.Revision : (revision ?? MS_BRANCH);
      return {
        id: ref.id,
        type: ref.type,
        private: d.Visibility === 1,
        sha,
        revision: revision ?? MS_BRANCH,
        gated: false,
        license: d.License || (typeof card?.license === "string" ? card.license : undefined),
        lastModified: d.LastUpdatedTime ? new Date(d.LastUpdatedTime * 1000).toISOString() : undefined,
        downloads: d.Downloads ?? undefined,
        likes: d.Likes ?? d.Stars ?? undefined,
        tags: d.Tags,
        task: d.Tasks[0],
        library: typeof card?.library_name === "string" ? card.library_name : undefined,
        card,
      };
    } catch (err) {
      this.explain(err, ref, "read");
    }
  }

  search(query: SearchQuery): Promise<SearchHit[]> {
    return msSearch(this, query);
  }

  async listRepos(owner: string, type: RepoType): Promise<string[]> {
    if (type === "space") return [];
    const ids: string[] = [];
    const pageSize = 50;
    for (let page = 1; page <= 200; page++) {
      const res = await this.http.request(
        "GET",
        `${this.endpoint}/openapi/v1/${msType(type)}s?owner=${encodeURIComponent(owner)}&page_number=${page}&page_size=${pageSize}`,
        { retry: true },
      );
      const data = parseAs(
        MsRepoListSchema,
        await res.json(),
        `GET /openapi/v1/${msType(type)}s?owner=`,
      ).data;
      const items = (data.models ?? data.datasets ?? []).map((m) => m.id);
      ids.push(...items);
      if (items.length < pageSize || ids.length >= data.total_count) break;
    }
    return ids.filter((id) => id.startsWith(`${owner}/`)).sort();
  }

  async detectType(ref: RepoRef): Promise<RepoType> {
    for (const type of ["model", "dataset"] as const) {
      const res = await this.http.request("GET", this.apiRepo({ type, id: ref.id }), {
        retry: true,
        accept: [401, 403, 404],
      });
      res.body.resume();
      if (res.status < 300) return type;
    }
    // Not found as either kind with a token present: a refused token says so (whoami throws).
    if (this.token) await this.whoami();
    throw new HubferryError(
      "REPO_NOT_FOUND",
      `ms:${ref.id} was not found as a model or dataset (or it is private and this token cannot see it)`,
      "check the id, or say the type with --repo-type",
    );
  }

  /** The repo's first commit (the one the site made creating it): the last of the newest-first listing. */
  async creationCommit(ref: RepoRef): Promise<string | undefined> {
    const page = async (n: number) => {
      const url = `${this.apiRepo(ref)}/commits?Ref=${MS_BRANCH}&PageSize=1&PageNumber=${n}`;
      const res = await this.http.request("GET", url, { retry: true });
      return parseAs(MsCommitsSchema, await res.json(), "GET /api/v1/{type}s/{id}/commits");
    };
    const head = await page(1);
    const total = head.TotalCount ?? 0;
    if (total <= 1) return head.Data.Commit?.[0]?.Id;
    return (await page(total)).Data.Commit?.[0]?.Id;
  }

  async listFiles(ref: RepoRef, revision: string): Promise<SourceFile[]> {
    const out: SourceFile[] = [];
    const add = (
      files: {
        Path: string;
        Type: string;
        Size: number;
        Sha256?: string | null;
        Revision?: string | null;
        IsLFS?: boolean | null;
      }[],
    ) => {
      for (const f of files)
        if (f.Type !== "tree")
          out.push({
            path: f.Path,
            size: f.Size,
            ...(f.Sha256 ? { sha256: f.Sha256 } : {}),
            ...(f.Revision ? { lastCommit: f.Revision } : {}),
            ...(typeof f.IsLFS === "boolean" ? { lfs: f.IsLFS } : {}),
          });
    };
    try {
      if (msType(ref.type) === "model") {
        const res = await this.http.request(
          "GET",
          `${this.apiRepo(ref)}/repo/files?Revision=${encodeURIComponent(revision)}&Recursive=True`,
          { retry: true },
        );
        add(parseAs(MsFilesSchema, await res.json(), "GET /api/v1/models/{id}/repo/files").Data?.Files ?? []);
        return out;
      }
      const pageSize = 200;
      for (let page = 1; page < 100_000; page++) {
        const res = await this.http.request(
          "GET",
          `${this.apiRepo(ref)}/repo/tree?Revision=${encodeURIComponent(revision)}&Recursive=True&PageNumber=${page}&PageSize=${pageSize}`,
          { retry: true },
        );
        const files =
          parseAs(MsFilesSchema, await res.json(), "GET /api/v1/datasets/{id}/repo/tree").Data?.Files ?? [];
        add(files);
        if (files.length < pageSize) break;
      }
      return out;
    } catch (err) {
      this.explain(err, ref, "list");
    }
  }

  async read(
    ref: RepoRef,
    revision: string,
    path: string,
    start: number,
    end: number,
    signal?: AbortSignal,
    hints?: ReadHints,
  ): Promise<AsyncIterable<Uint8Array>> {
    const url = `${this.apiRepo(ref)}/repo?Revision=${encodeURIComponent(revision)}&FilePath=${encodeURIComponent(path)}`;
    try {
      return await this.http.getRange(url, start, end, path, signal, hints?.refuseFast);
    } catch (err) {
      this.explain(err, ref, "read");
    }
  }

  async source(ref: RepoRef, revision?: string): Promise<TransferSource & { info: RepoDetails }> {
    return this.sourceFromInfo(ref, await this.repoInfo(ref, revision));
  }

  sourceFromInfo(ref: RepoRef, info: RepoDetails): TransferSource & { info: RepoDetails } {
    return {
      info,
      label: `${this.label(ref)}@${info.sha.slice(0, 8)}`,
      revision: info.sha,
      // Pinned to a commit: its listing never changes.
      list: listOnce(() => this.listFiles(ref, info.sha)),
      // A CDN caps each connection: large files read faster in several ranges at once.
      parallelRanges: true,
      read: (path, start, end, signal, hints) => this.read(ref, info.sha, path, start, end, signal, hints),
    };
  }

  async createRepo(
    ref: RepoRef,
    opts: { private: boolean; license?: string },
  ): Promise<{ created: boolean }> {
    // The source's licence in ModelScope's names, or none (never one the author did not choose).
    const license = msLicenseFor(opts.license);
    const [owner, name] = ref.id.split("/") as [string, string];
    const visibility = opts.private ? 1 : 5;
    try {
      let res: HttpResponse;
      if (msType(ref.type) === "model") {
        const body = JSON.stringify({
          Path: owner,
          Name: name,
          Visibility: visibility,
          ...(license ? { License: license } : {}),
        });
        res = await this.http.request("POST", `${this.endpoint}/api/v1/models`, {
          headers: { "content-type": "application/json" },
          body: () => body,
          accept: [400],
        });
      } else {
        res = await this.http.request("POST", `${this.endpoint}/api/v1/datasets`, {
          body: () => {
            const form = new FormData();
            for (const [k, v] of Object.entries({
              Name: name,
              Owner: owner,
              Visibility: String(visibility),
              ...(license ? { License: license } : {}),
            }))
              form.set(k, v);
            return form as never;
          },
          accept: [400],
        });
      }
      const text = await res.text();
      if (res.status === 400) {
        if (/10010101001|10020101001|exist|已被注册|已存在/.test(text)) return { created: false };
        throw new HttpStatusError(
          400,
          res.headers,
          text,
          `POST /api/v1/${msType(ref.type)}s: ${text.slice(0, 200)}`,
        );
      }
      return { created: true };
    } catch (err) {
      this.explain(err, ref, "create");
    }
  }

  async checkWritable(ref: RepoRef): Promise<void> {
    try {
      const res = await this.http.request(
        "POST",
        `${this.endpoint}/api/v1/repos/${msType(ref.type)}s/${ref.id}/info/lfs/objects/batch`,
        {
          headers: { "content-type": "application/json" },
          body: () => JSON.stringify({ operation: "upload", objects: [] }),
          retry: true,
        },
      );
      res.body.resume();
    } catch (err) {
      this.explain(err, ref, "write to");
    }
  }

  destination(ref: RepoRef): TransferDestination {
    return new MsDestination(this, ref);
  }
}
