import type { RepoRef } from "../../core/repo-ref.js";
import type { SearchQuery } from "../../hubs/hub.js";
import { shortHash } from "./metadata-dir.js";

/**
 * Where each kind of entry lives inside one endpoint-and-token folder. Names are hashes (ids and
 * revisions may hold any character); a repo's refs sit in one folder so a write can drop them all.
 */
export const repoFolder = (hub: string, ref: RepoRef): string =>
  `repos/${shortHash(`${hub}:${ref.type}:${ref.id}`)}`;

/** A branch or tag's resolution ("" is the default branch). */
export const refEntry = (repo: string, revision: string | undefined): string =>
  `${repo}/refs/${shortHash(revision ?? "")}.json`;

export const refsFolder = (repo: string): string => `${repo}/refs`;

/** Everything known at one commit: info, listing, small reads. Never changes once written. */
export const commitFolder = (repo: string, sha: string): string => `${repo}/commits/${sha}`;

/** The same search asked with the same filters, in any order of the flags. */
export function searchEntry(query: SearchQuery): string {
  const sorted = Object.fromEntries(
    Object.entries(query)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return `search/${shortHash(JSON.stringify(sorted))}.json`;
}

export const typeEntry = (hub: string, id: string): string => `types/${shortHash(`${hub}:${id}`)}.json`;
