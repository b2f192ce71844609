import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where the Modal SDK (modal 0.11.1, src/config.ts) will find credentials, resolved the way it
 * resolves them, so that "is Modal configured?" agrees with what the SDK will then do: the config
 * file is MODAL_CONFIG_PATH or ~/.modal.toml; the profile is MODAL_PROFILE or the first table with
 * `active = true` (a table without it is ignored); MODAL_TOKEN_ID/MODAL_TOKEN_SECRET win over the
 * profile's token_id/token_secret; an OAuth refresh token with its client id and secret or key also counts.
 */
export interface ModalCredentials {
  present: boolean;
  /** Where the token pair came from (never the token itself). */
  source?: string;
  tokenId?: string;
  tokenSecret?: string;
}

type Table = Record<string, string | boolean>;

export function modalCredentials(env: NodeJS.ProcessEnv = process.env): ModalCredentials {
  const path = env.MODAL_CONFIG_PATH ? env.MODAL_CONFIG_PATH : join(env.HOME ?? homedir(), ".modal.toml");
  const config = readConfig(path);
  let name = env.MODAL_PROFILE;
  if (!name) name = Object.keys(config).find((k) => config[k]?.active === true);
  const profile: Table = (name && Object.hasOwn(config, name) ? config[name] : undefined) ?? {};
  const str = (v: string | boolean | undefined) => (typeof v === "string" && v ? v : undefined);
  const tokenId = env.MODAL_TOKEN_ID || str(profile.token_id);
  const tokenSecret = env.MODAL_TOKEN_SECRET || str(profile.token_secret);
  const oauth =
    (env.MODAL_OAUTH_REFRESH_TOKEN || str(profile.oauth_refresh_token)) &&
    (env.MODAL_OAUTH_CLIENT_ID || str(profile.oauth_client_id)) &&
    (env.MODAL_OAUTH_CLIENT_SECRET ||
      env.MODAL_OAUTH_JWT_KEY ||
      str(profile.oauth_client_secret) ||
      str(profile.oauth_jwt_key));
  const fromEnv = !!(env.MODAL_TOKEN_ID && env.MODAL_TOKEN_SECRET);
  const source = fromEnv
    ? "MODAL_TOKEN_ID/MODAL_TOKEN_SECRET"
    : tokenId || tokenSecret || oauth
      ? `profile "${name}" in ${path}`
      : undefined;
  return { present: !!(tokenId && tokenSecret) || !!oauth, source, tokenId, tokenSecret };
}

/** The file's tables, or none when it is missing or not TOML this reader understands (the SDK then sees none too). */
function readConfig(path: string): Record<string, Table> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return {};
  }
  try {
    return parseTomlTables(text);
  } catch {
    return {};
  }
}

/**
 * The part of TOML a Modal config file uses: `[profile]` tables of `key = "string"` (or 'string')
 * and `key = true|false`. Anything else throws, and the caller treats the file as empty.
 */
export function parseTomlTables(text: string): Record<string, Table> {
  const out: Record<string, Table> = {};
  let table: Table | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+|\s+$/g, "");
    if (!line || line.startsWith("#")) continue;
    const head = /^\[\s*(?:"([^"]*)"|([A-Za-z0-9_-]+))\s*\]$/.exec(line);
    if (head) {
      const name = head[1] ?? head[2] ?? "";
      table = out[name] ??= {};
      continue;
    }
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*'|true|false)\s*(?:#.*)?$/.exec(line);
    if (!kv || !table) throw new Error(`unsupported TOML line: ${line.slice(0, 20)}`);
    const value = kv[2] ?? "";
    table[kv[1] ?? ""] =
      value === "true"
        ? true
        : value === "false"
          ? false
          : value.startsWith("'")
            ? value.slice(1, -1)
            : (JSON.parse(value) as string);
  }
  return out;
}
