import type { RequestContext } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import type { Handler, Route } from "../http/router.js";
import { mirrorRead, mirrorRefusesWrite, type RouteRepo } from "../mirror/mirror-routes.js";
import { login, logout, usersMe } from "./ms-auth.js";
import { renderMsError, renderOpenapiError } from "./ms-envelope.js";
import { downloadFile, listDatasetTree, listModelFiles } from "./ms-files.js";
import { createTag, deleteFile, deleteRepo } from "./ms-manage.js";
import {
  createRepo,
  legacyListDatasets,
  legacyListModels,
  listCommits,
  listRevisions,
  openapiList,
  openapiRepoInfo,
  repoInfo,
} from "./ms-repos.js";
import { msCommit, msLfsBatch, msPutBlob } from "./ms-upload.js";

const TYPES = "(?<types>models|datasets)";
const REPO = "(?<ns>[^/]+)/(?<name>[^/]+)";

/** Route builders for the two dialects: `/api/v1` (PascalCase envelope) and `/openapi/v1`. */
function builder(renderError: Route["renderError"]) {
  return (name: string, methods: string[], pattern: string, handler: Handler): Route => ({
    name: `ms.${name}`,
    methods,
    pattern: new RegExp(pattern),
    handler,
    bucket: "api",
    renderError,
  });
}

const r = builder(renderMsError);
const o = builder(renderOpenapiError);

const notFound = async (ctx: RequestContext) => {
  throw new HttpError(404, `no such endpoint: ${ctx.method} ${ctx.url.pathname}`);
};

/** The repo a ModelScope route names (by owner and name; a dataset's numeric id is never mirrored). */
const msRouteRepo: RouteRepo = (ctx) =>
  ctx.params.ns && ctx.params.name
    ? {
        face: "ms",
        type: ctx.params.types === "datasets" ? "dataset" : "model",
        namespace: ctx.params.ns,
        name: ctx.params.name,
      }
    : undefined;
const read = (h: Handler) =>
  mirrorRead(h, msRouteRepo, (ctx) => ctx.url.searchParams.get("Revision") || undefined);
const write = (h: Handler) => mirrorRefusesWrite(h, msRouteRepo);

/** The ModelScope face: `/api/v1` (PascalCase envelope) and `/openapi/v1` (snake_case). */
export function msRoutes(): Route[] {
  return [
    r("login", ["POST"], "^/api/v1/login$", login),
    r("logout", ["POST"], "^/api/v1/logout$", logout),
    o("users-me", ["GET"], "^/openapi/v1/users/me$", usersMe),
    o("openapi-list", ["GET"], `^/openapi/v1/${TYPES}$`, openapiList),
    o("openapi-info", ["GET"], `^/openapi/v1/${TYPES}/${REPO}$`, read(openapiRepoInfo)),
    r("create", ["POST"], `^/api/v1/${TYPES}/?$`, createRepo),
    r("list-models", ["PUT"], "^/api/v1/models/?$", legacyListModels),
    r("list-datasets", ["GET"], "^/api/v1/datasets/?$", legacyListDatasets),
    r("lfs-batch", ["POST"], `^/api/v1/repos/${TYPES}/${REPO}/info/lfs/objects/batch$`, write(msLfsBatch)),
    r(
      "blob-put",
      ["PUT"],
      `^/api/v1/repos/${TYPES}/${REPO}/blobs/(?<oid>[0-9a-f]{64})/(?<size>\\d+)$`,
      write(msPutBlob),
    ),
    r("commit", ["POST"], `^/api/v1/repos/${TYPES}/${REPO}/commit/(?<rev>[^/]+)$`, write(msCommit)),
    r("files", ["GET"], `^/api/v1/(?<types>models)/${REPO}/repo/files$`, read(listModelFiles)),
    // As the site: a dataset's file list is only `repo/tree`; its `repo/files` is a 405.
    r("dataset-files", ["GET"], `^/api/v1/datasets/${REPO}/repo/files$`, async () => {
      throw new HttpError(405, "method not allowed: list a dataset's files with GET .../repo/tree");
    }),
    r(
      "tree",
      ["GET"],
      `^/api/v1/(?<types>datasets)/(?:(?<numericId>\\d+)|${REPO})/repo/tree$`,
      read(listDatasetTree),
    ),
    r("delete-file", ["DELETE"], `^/api/v1/(?<types>models)/${REPO}/file$`, write(deleteFile)),
    r("delete-dataset-file", ["DELETE"], `^/api/v1/(?<types>datasets)/${REPO}/repo$`, write(deleteFile)),
    r("download", ["GET", "HEAD"], `^/api/v1/${TYPES}/${REPO}/repo$`, read(downloadFile)),
    r("revisions", ["GET"], `^/api/v1/${TYPES}/${REPO}/revisions$`, read(listRevisions)),
    r("commits", ["GET"], `^/api/v1/${TYPES}/${REPO}/commits$`, read(listCommits)),
    r("tag", ["POST"], `^/api/v1/${TYPES}/${REPO}/repo/tag$`, write(createTag)),
    r("delete", ["DELETE"], `^/api/v1/${TYPES}/${REPO}$`, write(deleteRepo)),
    r("info", ["GET"], `^/api/v1/${TYPES}/${REPO}$`, read(repoInfo)),
    // Everything else on either prefix is a JSON 404: the new SDK falls back from /openapi only on 404.
    o("openapi-unknown", ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"], "^/openapi/v1/", notFound),
    r("unknown", ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"], "^/api/v1/", notFound),
  ];
}
