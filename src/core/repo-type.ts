/** The three kinds of repository both hubs know about. */
export const REPO_TYPES = ["model", "dataset", "space"] as const;
export type RepoType = (typeof REPO_TYPES)[number];

export function isRepoType(value: unknown): value is RepoType {
  return typeof value === "string" && (REPO_TYPES as readonly string[]).includes(value);
}

/** Prefix used by Hugging Face "web" URLs (resolve, raw, .git): models have none. */
export function hfUrlPrefix(type: RepoType): string {
  return type === "model" ? "" : `${type}s/`;
}
