import { createHash } from "node:crypto";
import { join } from "node:path";
import envPaths from "env-paths";

/**
 * Where the metadata cache lives: `<hubferry cache>/metadata/<endpoint>/<identity>/`. One folder
 * per endpoint, and inside it one per token, so what one token was shown (a private repo, a
 * private search hit) is never served to another. The identity is a one-way hash of the token.
 */
export function metadataRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.HUBFERRY_CACHE ?? envPaths("hubferry", { suffix: "" }).cache;
  return join(base, "metadata");
}

export const shortHash = (text: string): string =>
  createHash("sha256").update(text).digest("hex").slice(0, 24);

/** `huggingface.co-1a2b3c4d`: readable, and distinct for two endpoints on one host. */
export function endpointFolder(endpoint: string): string {
  let host = "endpoint";
  try {
    host = new URL(endpoint).host.replace(/[^A-Za-z0-9.-]/g, "_");
  } catch {
    // Not a URL: the hash alone tells it apart.
  }
  return `${host}-${shortHash(endpoint.replace(/\/+$/, "")).slice(0, 8)}`;
}

export function identityFolder(token: string | undefined): string {
  return token ? `token-${shortHash(`hubferry metadata identity\n${token}`).slice(0, 16)}` : "anonymous";
}

export function metadataDir(root: string, endpoint: string, token: string | undefined): string {
  return join(root, endpointFolder(endpoint), identityFolder(token));
}
