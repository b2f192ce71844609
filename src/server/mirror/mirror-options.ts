export { DEFAULT_MIRROR_TTL_SECONDS } from "../../core/mirror-defaults.js";

import type { Face } from "../store/repo-store.js";
import type { Upstream } from "./upstream.js";

export interface MirrorOptions {
  /** The hub each face mirrors; a face without one is a plain local hub. */
  upstreams: Partial<Record<Face, Upstream>>;
  /** How long a branch or tag name stays pinned to the commit it last named. */
  ttlSeconds: number;
  /** Never ask upstream: serve what the store has, and 504 for the rest. */
  offline: boolean;
  /** Namespaces kept local besides those of the users file's users and orgs. */
  localNamespaces: string[];
  /** The most bytes mirrored files may take; the least recently used are pruned past it. */
  maxBytes?: number;
}
