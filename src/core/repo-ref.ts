import { HubferryError } from "./errors.js";
import type { RepoType } from "./repo-type.js";

export type HubName = "hf" | "ms";

export interface RepoRef {
  hub: HubName;
  type: RepoType;
  /** `owner/name` */
  id: string;
  /** Whether the type was given (prefix, URL or flag) rather than defaulted. */
  typeKnown: boolean;
  /** The revision a URL named (`/tree/<rev>`, `/blob/<rev>/…`, ModelScope `/file/view/<rev>/…`). */
  revision?: string;
  /** The file or folder a URL named after its revision; `folder` when it was a `/tree/` URL. */
  path?: { value: string; folder: boolean };
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const HF_HOSTS = ["huggingface.co", "hf.co", "www.huggingface.co"];
const MS_HOSTS = ["modelscope.cn", "www.modelscope.cn", "modelscope.ai", "www.modelscope.ai"];

function typeFromSegment(seg: string | undefined): RepoType | undefined {
  if (seg === "datasets") return "dataset";
  if (seg === "spaces" || seg === "studios") return "space";
  if (seg === "models") return "model";
  return undefined;
}

function checkId(id: string, original: string): string {
  if (!ID_RE.test(id) || id.includes("..") || id.includes("--")) {
    throw new HubferryError(
      "BAD_INPUT",
      `"${original}" is not a repo id`,
      "use owner/name, optionally prefixed: hf:owner/name, ms:owner/name, hf:datasets/owner/name, or a huggingface.co / modelscope.cn URL",
    );
  }
  return id;
}

/**
 * Parses what a user types for a repo: `hf:Org/name`, `ms:Org/name`, `hf:datasets/Org/name`,
 * `spaces/Org/name`, or a full URL on huggingface.co, modelscope.cn or modelscope.ai. A bare id
 * takes `defaultHub`; without one the hub must be said.
 */
export function parseRepoRef(input: string, opts: { defaultHub?: HubName; type?: RepoType } = {}): RepoRef {
  const text = input.trim();
  let hub: HubName | undefined;
  let rest = text;
  let type: RepoType | undefined;
  const located: Pick<RepoRef, "revision" | "path"> = {};
  if (/^https?:\/\//.test(text)) {
    const url = new URL(text);
    const host = url.hostname.toLowerCase();
    if (HF_HOSTS.includes(host)) hub = "hf";
    else if (MS_HOSTS.includes(host)) hub = "ms";
    else
      throw new HubferryError(
        "BAD_INPUT",
        `"${input}" is not a Hugging Face or ModelScope URL`,
        "use a huggingface.co, modelscope.cn or modelscope.ai URL, or hf:owner/name / ms:owner/name",
      );
    const segs = url.pathname.split("/").filter(Boolean);
    type = typeFromSegment(segs[0]);
    const idSegs = type || (hub === "ms" && segs[0] === "models") ? segs.slice(1, 3) : segs.slice(0, 2);
    if (hub === "ms" && !type && segs[0] !== "models") {
      throw new HubferryError(
        "BAD_INPUT",
        `"${input}" is not a ModelScope repo URL`,
        "ModelScope URLs look like https://modelscope.cn/models/owner/name or /datasets/owner/name",
      );
    }
    rest = idSegs.join("/");
    Object.assign(located, urlLocation(hub, segs.slice(type || segs[0] === "models" ? 3 : 2), input));
  } else {
    const m = /^(hf|ms|huggingface|modelscope):(.*)$/i.exec(text);
    if (m) {
      hub = m[1]!.toLowerCase().startsWith("h") ? "hf" : "ms";
      rest = m[2]!;
    }
    const segs = rest.split("/").filter(Boolean);
    const t = typeFromSegment(segs[0]);
    if (t && segs.length === 3) {
      type = t;
      rest = segs.slice(1).join("/");
    }
  }
  hub ??= opts.defaultHub;
  if (!hub) {
    throw new HubferryError(
      "BAD_INPUT",
      `"${input}" does not say which hub it is on`,
      "prefix it with hf: or ms:, or pass --to ms|hf to migrate a bare id",
    );
  }
  if (type && opts.type && type !== opts.type) {
    throw new HubferryError(
      "BAD_INPUT",
      `"${input}" is a ${type} but --repo-type says ${opts.type}`,
      "drop --repo-type or make them agree",
    );
  }
  const finalType = type ?? opts.type ?? "model";
  return { hub, type: finalType, id: checkId(rest, input), typeKnown: !!(type ?? opts.type), ...located };
}

/** Pages of a repo that name no revision or file: the repo itself is meant. */
const PLAIN_PAGES: Record<HubName, string[]> = {
  hf: ["", "discussions", "commits", "settings", "community"],
  ms: ["", "summary", "files", "feedback", "dataPeview", "quickstart"],
};

/**
 * What a URL says past the repo id: `/tree/<rev>[/<dir>]`, `/blob|resolve/<rev>/<file>`,
 * `/commit/<sha>` on Hugging Face; `/file/view/<rev>/<file>` and `/files?Revision=` style pages on
 * ModelScope. Anything else is refused rather than silently ignored.
 */
function urlLocation(hub: HubName, tail: string[], input: string): Pick<RepoRef, "revision" | "path"> {
  const decoded = tail.map((t) => {
    try {
      return decodeURIComponent(t);
    } catch {
      return t;
    }
  });
  const [page = "", ...more] = decoded;
  if (more.length === 0 && PLAIN_PAGES[hub].includes(page)) return {};
  const pathOf = (segs: string[], folder: boolean) =>
    segs.length ? { path: { value: segs.join("/"), folder } } : {};
  if (hub === "hf" && page === "tree" && more[0])
    return { revision: more[0], ...pathOf(more.slice(1), true) };
  if (hub === "hf" && (page === "blob" || page === "resolve") && more[0] && more.length > 1)
    return { revision: more[0], ...pathOf(more.slice(1), false) };
  if (hub === "hf" && page === "commit" && more.length === 1) return { revision: more[0] };
  if (hub === "ms" && page === "file" && more[0] === "view" && more[1])
    return { revision: more[1], ...pathOf(more.slice(2), false) };
  throw new HubferryError(
    "BAD_INPUT",
    `"${input}": hubferry cannot tell what the part after the repo id means`,
    hub === "hf"
      ? "use the repo URL, or …/tree/<revision>[/<folder>] or …/blob/<revision>/<file>"
      : "use the repo URL, or …/file/view/<revision>/<file>",
  );
}

/**
 * The revision to use: the URL's or the `--revision` flag's, refused when they disagree, so no part
 * of what the user typed is silently dropped.
 */
export function revisionOf(ref: RepoRef, flag: string | undefined): string | undefined {
  if (ref.revision && flag && ref.revision !== flag)
    throw new HubferryError(
      "BAD_INPUT",
      `the URL names revision "${ref.revision}" but --revision says "${flag}"`,
      "drop one of them, or make them agree",
    );
  return flag ?? ref.revision;
}

/** For commands that take a whole repo: a URL naming a revision or a file there is refused. */
export function wholeRepo(ref: RepoRef, input: string, role: string): RepoRef {
  if (ref.revision || ref.path)
    throw new HubferryError(
      "BAD_INPUT",
      `${role} "${input}" names ${ref.path ? `the ${ref.path.folder ? "folder" : "file"} ${ref.path.value}` : `revision ${ref.revision}`}, which ${role} cannot use`,
      "give the repo itself (hf:owner/name or its URL without /tree, /blob or /file)",
    );
  return ref;
}

/** The include pattern a URL's path stands for (a file, or everything under a folder). */
export function includeFromPath(ref: RepoRef): string | undefined {
  if (!ref.path) return undefined;
  return ref.path.folder ? `${ref.path.value}/**` : ref.path.value;
}

export function formatRef(ref: RepoRef): string {
  const prefix = ref.type === "model" ? "" : `${ref.type}s/`;
  return `${ref.hub}:${prefix}${ref.id}`;
}
