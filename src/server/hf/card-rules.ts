import type { RepoType } from "../../core/repo-type.js";

/** License ids the real hub accepts in card metadata (its documented list), plus `other`. */
export const KNOWN_LICENSES = new Set([
  "apache-2.0",
  "mit",
  "openrail",
  "bigscience-openrail-m",
  "creativeml-openrail-m",
  "bigscience-bloom-rail-1.0",
  "bigcode-openrail-m",
  "afl-3.0",
  "artistic-2.0",
  "bsl-1.0",
  "bsd",
  "bsd-2-clause",
  "bsd-3-clause",
  "bsd-3-clause-clear",
  "c-uda",
  "cc",
  "cc0-1.0",
  "cc-by-2.0",
  "cc-by-2.5",
  "cc-by-3.0",
  "cc-by-4.0",
  "cc-by-sa-3.0",
  "cc-by-sa-4.0",
  "cc-by-nc-2.0",
  "cc-by-nc-3.0",
  "cc-by-nc-4.0",
  "cc-by-nd-4.0",
  "cc-by-nc-nd-3.0",
  "cc-by-nc-nd-4.0",
  "cc-by-nc-sa-2.0",
  "cc-by-nc-sa-3.0",
  "cc-by-nc-sa-4.0",
  "cdla-sharing-1.0",
  "cdla-permissive-1.0",
  "cdla-permissive-2.0",
  "wtfpl",
  "ecl-2.0",
  "epl-1.0",
  "epl-2.0",
  "etalab-2.0",
  "eupl-1.1",
  "eupl-1.2",
  "agpl-3.0",
  "gfdl",
  "gpl",
  "gpl-2.0",
  "gpl-3.0",
  "lgpl",
  "lgpl-2.1",
  "lgpl-3.0",
  "isc",
  "h-research",
  "intel-research",
  "lppl-1.3c",
  "ms-pl",
  "apple-ascl",
  "apple-amlr",
  "mpl-2.0",
  "odc-by",
  "odbl",
  "openmdw-1.0",
  "openrail++",
  "osl-3.0",
  "postgresql",
  "ofl-1.1",
  "ncsa",
  "unlicense",
  "zlib",
  "pddl",
  "lgpl-lr",
  "deepfloyd-if-license",
  "fair-noncommercial-research-license",
  "llama2",
  "llama3",
  "llama3.1",
  "llama3.2",
  "llama3.3",
  "llama4",
  "grok2-community",
  "gemma",
  "unknown",
  "other",
]);

const LANGUAGE_RE = /^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/;
const REPO_ID_RE = /^(?:[A-Za-z0-9][A-Za-z0-9._-]*\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface CardReport {
  errors: { message: string }[];
  warnings: { message: string }[];
}

type Check = (value: unknown, key: string, out: CardReport) => void;

const stringOrList =
  (each?: (s: string, where: string, out: CardReport) => void): Check =>
  (value, key, out) => {
    const list = typeof value === "string" ? [value] : Array.isArray(value) ? value : undefined;
    if (!list) return void out.errors.push({ message: `"${key}" must be a string or an array of strings` });
    list.forEach((s, i) => {
      const where = typeof value === "string" ? key : `${key}[${i}]`;
      if (typeof s !== "string") out.errors.push({ message: `"${where}" must be a string` });
      else each?.(s, where, out);
    });
  };

const listOfStrings: Check = (value, key, out) => {
  if (!Array.isArray(value)) return void out.errors.push({ message: `"${key}" must be an array` });
  value.forEach((s, i) => {
    if (typeof s !== "string") out.errors.push({ message: `"${key}[${i}]" must be a string` });
  });
};

const modelIndex: Check = (value, key, out) => {
  if (!Array.isArray(value)) return void out.errors.push({ message: `"${key}" must be an array` });
  value.forEach((entry, i) => {
    const e = entry as { name?: unknown; results?: unknown } | null;
    if (!e || typeof e !== "object" || typeof e.name !== "string")
      out.errors.push({ message: `"${key}[${i}].name" is required and must be a string` });
    else if (!Array.isArray(e.results))
      out.errors.push({ message: `"${key}[${i}].results" must be an array` });
  });
};

const RULES: Record<string, Check> = {
  license: stringOrList((s, where, out) => {
    if (!KNOWN_LICENSES.has(s))
      out.errors.push({
        message: `"${where}" must be one of the hub's license ids (e.g. apache-2.0, mit, cc-by-4.0) or "other"`,
      });
  }),
  tags: listOfStrings,
  datasets: stringOrList(),
  language: stringOrList((s, where, out) => {
    // A warning, not an error: cards in the wild carry "code", "multilingual" and the like.
    if (!LANGUAGE_RE.test(s) && !["code", "multilingual"].includes(s))
      out.warnings.push({
        message: `"${where}" with value "${s}" fails to match the ISO 639 language code pattern`,
      });
  }),
  base_model: stringOrList((s, where, out) => {
    if (!REPO_ID_RE.test(s))
      out.errors.push({ message: `"${where}" with value "${s}" is not a valid model id` });
  }),
  "model-index": modelIndex,
};

/** Checks card metadata the way the hub's validate-yaml does: types and known values of the main keys. */
export function checkCardMetadata(data: Record<string, unknown>, type: RepoType): CardReport {
  const out: CardReport = { errors: [], warnings: [] };
  if (Object.keys(data).length === 0)
    out.warnings.push({ message: "empty or missing yaml metadata in repo card" });
  for (const [key, check] of Object.entries(RULES)) {
    if (data[key] === undefined || data[key] === null) continue;
    if (type !== "model" && (key === "model-index" || key === "base_model")) continue;
    check(data[key], key, out);
  }
  return out;
}
