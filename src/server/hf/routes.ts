import { sendJson } from "../http/context.js";
import type { Bucket } from "../http/rate-limit.js";
import type { Handler, Route } from "../http/router.js";
import { completeMultipart, putPart } from "../lfs/lfs-multipart.js";
import { putObject, verifyObject } from "../lfs/lfs-transfer.js";
import { mirrorRead, mirrorRefusesWrite, type RouteRepo } from "../mirror/mirror-routes.js";
import { reconstruction, xetReadToken, xetWriteToken, xorbBytes } from "../xet/xet-routes.js";
import { commitNdjson } from "./commit.js";
import { duplicateLfsFiles, duplicateRepo } from "./duplicate.js";
import { noNamespace, renderHfError } from "./hf-errors.js";
import { typeFromPlural } from "./hf-repo-access.js";
import { deleteLfsFiles, listLfsFiles } from "./lfs-files.js";
import {
  createBranch,
  createRepo,
  createTag,
  deleteBranch,
  deleteRepo,
  listCommits,
  listRefs,
  updateSettings,
} from "./repo-admin.js";
import { listTree, pathsInfo, repoInfo } from "./repo-info.js";
import { authCheck, deleteTag, listNamespaceRepos, moveRepo, superSquash } from "./repo-manage.js";
import { downloadObject, resolveFile } from "./resolve.js";
import { searchRepos, validateYaml } from "./search.js";
import { lfsBatch, preupload } from "./upload.js";
import { whoami } from "./whoami.js";

const TYPES = "(?<types>models|datasets|spaces)";
const REPO = "(?<ns>[^/]+)/(?<name>[^/]+)";
/** A revision is one (possibly %2F-encoded) segment, or a raw `refs/...` as @huggingface/hub sends. */
const REV = "(?<rev>refs/(?:pr|heads|tags|convert)/[^/]+|[^/]+)";
const API_REPO = `^/api/${TYPES}/${REPO}`;
const WEB_REPO = "^/(?:(?<prefix>datasets|spaces)/)?(?<ns>[^/]+)/(?<name>[^/]+?)";

function r(
  name: string,
  methods: string[],
  pattern: string,
  handler: Handler,
  bucket: Bucket = "api",
): Route {
  return {
    name: `hf.${name}`,
    methods,
    pattern: new RegExp(pattern),
    handler,
    bucket,
    renderError: renderHfError,
  };
}

/** The repo an HF route names (`/api/{types}/{ns}/{name}` or `/{prefix}{ns}/{name}`). */
const hfRouteRepo: RouteRepo = (ctx) =>
  ctx.params.ns && ctx.params.name
    ? {
        face: "hf",
        type: typeFromPlural(ctx.params.types ?? ctx.params.prefix),
        namespace: ctx.params.ns,
        name: ctx.params.name,
      }
    : undefined;
const read = (h: Handler) => mirrorRead(h, hfRouteRepo, (ctx) => ctx.params.rev);
const write = (h: Handler) => mirrorRefusesWrite(h, hfRouteRepo);

/** The Hugging Face face of the local hub. Order matters: specific routes before repo info. */
export function hfRoutes(): Route[] {
  return [
    r("whoami", ["GET"], "^/api/whoami-v2$", whoami),
    // The hf CLI asks this on every run; an answer is cached by the client for 24 h.
    r("agent-harnesses", ["GET"], "^/api/agent-harnesses$", async (ctx) =>
      sendJson(ctx, 200, { standardEnvVars: [], harnesses: {} }),
    ),
    r("repo-create", ["POST"], "^/api/repos/create$", createRepo),
    r("repo-delete", ["DELETE"], "^/api/repos/delete$", deleteRepo),
    r("validate-yaml", ["POST"], "^/api/validate-yaml$", validateYaml),
    r("search", ["GET"], `^/api/${TYPES}$`, searchRepos),
    r("tree", ["GET"], `${API_REPO}/tree/${REV}(?:/(?<path>.*))?$`, read(listTree)),
    r("paths-info", ["POST"], `${API_REPO}/paths-info/${REV}$`, read(pathsInfo)),
    r("preupload", ["POST"], `${API_REPO}/preupload/${REV}$`, write(preupload)),
    r("commit", ["POST"], `${API_REPO}/commit/${REV}$`, write(commitNdjson)),
    r("refs", ["GET"], `${API_REPO}/refs$`, read(listRefs)),
    r("commits", ["GET"], `${API_REPO}/commits/${REV}$`, read(listCommits)),
    r("settings", ["PUT"], `${API_REPO}/settings$`, write(updateSettings)),
    r("branch", ["POST"], `${API_REPO}/branch/(?<ref>.+)$`, write(createBranch)),
    r("branch-delete", ["DELETE"], `${API_REPO}/branch/(?<ref>.+)$`, write(deleteBranch)),
    r("tag", ["POST"], `${API_REPO}/tag/(?<ref>.+)$`, write(createTag)),
    r("tag-delete", ["DELETE"], `${API_REPO}/tag/(?<ref>.+)$`, write(deleteTag)),
    r("auth-check", ["GET"], `${API_REPO}/auth-check(?<write>/write)?$`, read(authCheck)),
    r("super-squash", ["POST"], `${API_REPO}/super-squash/(?<ref>.+)$`, write(superSquash)),
    r("lfs-files", ["GET"], `${API_REPO}/lfs-files$`, listLfsFiles),
    r("lfs-files-delete", ["POST"], `${API_REPO}/lfs-files/batch$`, write(deleteLfsFiles)),
    r("lfs-files-duplicate", ["POST"], `${API_REPO}/lfs-files/duplicate$`, write(duplicateLfsFiles)),
    r("duplicate", ["POST"], `${API_REPO}/duplicate$`, read(duplicateRepo)),
    r("repo-move", ["POST"], "^/api/repos/move$", moveRepo),
    r("user-repos", ["GET"], "^/api/settings/repositories$", listNamespaceRepos),
    r("org-repos", ["GET"], "^/api/organizations/(?<org>[^/]+)/settings/repositories$", listNamespaceRepos),
    r("xet-read-token", ["GET"], `${API_REPO}/xet-read-token/${REV}$`, read(xetReadToken)),
    r("xet-write-token", ["GET"], `${API_REPO}/xet-write-token/(?<rev>.+)$`, xetWriteToken),
    r("info", ["GET"], `${API_REPO}(?:/revision/(?<rev>.+))?$`, read(repoInfo)),
    // Ids without a namespace (legacy canonical names): none exist here, so RepoNotFound.
    r("no-namespace", ["GET", "HEAD", "POST", "PUT", "DELETE"], `^/api/${TYPES}/[^/]+(?:/.*)?$`, noNamespace),
    r("lfs-batch", ["POST"], `${WEB_REPO}\\.git/info/lfs/objects/batch$`, lfsBatch),
    r(
      "resolve",
      ["GET", "HEAD"],
      `${WEB_REPO}/(?<kind>resolve|raw)/${REV}/(?<path>.+)$`,
      read(resolveFile),
      "resolvers",
    ),
    r(
      "resolve-no-namespace",
      ["GET", "HEAD"],
      `^/(?:(?:datasets|spaces)/)?[^/]+/(?:resolve|raw)/${REV}/.+$`,
      noNamespace,
      "resolvers",
    ),
    // The Xet CAS of this hub: its routes take Xet tokens (reconstructions) or signed URLs (xorbs).
    {
      ...r(
        "xet-reconstruction",
        ["GET"],
        "^/_hubferry/xet/v(?<v>1|2)/reconstructions/(?<fileId>[^/]+)$",
        reconstruction,
        "resolvers",
      ),
      ownAuth: true,
    },
    {
      ...r(
        "xet-xorb",
        ["GET", "HEAD"],
        "^/_hubferry/xet/xorbs/(?<sha256>[0-9a-f]{64})/(?<xorb>\\d+)/(?<hash>[0-9a-f]{64})$",
        xorbBytes,
        "resolvers",
      ),
      ownAuth: true,
    },
    r("object", ["GET", "HEAD"], "^/_hubferry/objects/(?<sha256>[0-9a-f]{64})$", downloadObject, "resolvers"),
    r(
      "lfs-put",
      ["PUT"],
      "^/_hubferry/lfs/(?<repo>[0-9a-f]{24})/(?<oid>[0-9a-f]{64})/(?<size>\\d+)$",
      putObject,
    ),
    r(
      "lfs-part",
      ["PUT"],
      "^/_hubferry/lfs/(?<repo>[0-9a-f]{24})/(?<oid>[0-9a-f]{64})/(?<size>\\d+)/multipart/(?<upload>[0-9a-f]+)/(?<part>\\d+)$",
      putPart,
    ),
    r(
      "lfs-complete",
      ["POST"],
      "^/_hubferry/lfs/(?<repo>[0-9a-f]{24})/(?<oid>[0-9a-f]{64})/(?<size>\\d+)/multipart/(?<upload>[0-9a-f]+)/complete$",
      completeMultipart,
    ),
    r(
      "lfs-verify",
      ["POST"],
      "^/_hubferry/lfs/(?<repo>[0-9a-f]{24})/(?<oid>[0-9a-f]{64})/(?<size>\\d+)/verify$",
      verifyObject,
    ),
  ];
}
