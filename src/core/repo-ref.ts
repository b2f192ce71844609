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
  return { hub, type: finalType, id: checkId(rest, input), typeKnown: !!(type ?? opts.type) };
}

export function formatRef(ref: RepoRef): string {
  const prefix = ref.type === "model" ? "" : `${ref.type}s/`;
  return `${ref.hub}:${prefix}${ref.id}`;
}
