import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { msCredentialsDir, readMsSessionToken } from "./credentials/ms-credentials.js";
import { HubferryError } from "./errors.js";

/** Where tokens and endpoints come from, read exactly as the official clients read them. */
export interface HubSettings {
  hfEndpoint: string;
  msEndpoint: string;
  hfToken?: string;
  /** Where the HF token was found (an env var name or a file path), never the token itself. */
  hfTokenSource?: string;
  msToken?: string;
  msTokenSource?: string;
  /** Set when the token found is malformed (the token is then left unset, so it is never sent). */
  hfTokenProblem?: string;
  msTokenProblem?: string;
  /**
   * The destination's own endpoint, when it is another server of the same kind (a mirror, a
   * self-hosted hub, modelscope.ai for modelscope.cn): `--dest-endpoint` or HUBFERRY_DEST_ENDPOINT.
   */
  destEndpoint?: string;
  /** The destination's token (HUBFERRY_DEST_TOKEN): the source's token never goes to another server. */
  destToken?: string;
  destTokenProblem?: string;
  destEndpointProblem?: HubferryError;
}

/** Where the destination's token comes from, named in hints. */
export const DEST_TOKEN_VAR = "HUBFERRY_DEST_TOKEN";

/** A token is one run of visible ASCII: anything else cannot go in an HTTP header. */
const WELL_FORMED = /^[\x21-\x7e]+$/;

/** Why a token cannot be used, naming where it came from and never what it is. */
export function tokenProblem(token: string, source: string): string | undefined {
  if (WELL_FORMED.test(token)) return undefined;
  return `the token in ${source} is malformed (it holds a space, a control or a non-ASCII character): it was not sent`;
}

export const DEFAULT_HF_ENDPOINT = "https://huggingface.co";
export const DEFAULT_MS_ENDPOINT = "https://www.modelscope.cn";

function hfHome(env: NodeJS.ProcessEnv): string {
  return env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "huggingface");
}

export function hfTokenFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.HF_TOKEN_PATH ?? join(hfHome(env), "token");
}

function readTokenFile(path: string): string | undefined {
  try {
    const t = readFileSync(path, "utf8").trim();
    return t || undefined;
  } catch {
    return undefined;
  }
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): HubSettings {
  const s: HubSettings = {
    hfEndpoint: (env.HF_ENDPOINT || DEFAULT_HF_ENDPOINT).replace(/\/+$/, ""),
    msEndpoint: DEFAULT_MS_ENDPOINT,
  };
  if (env.MODELSCOPE_ENDPOINT) s.msEndpoint = env.MODELSCOPE_ENDPOINT.replace(/\/+$/, "");
  else if (env.MODELSCOPE_DOMAIN) {
    const d = env.MODELSCOPE_DOMAIN.replace(/\/+$/, "");
    s.msEndpoint = /^https?:\/\//.test(d) ? d : `https://${d}`;
  }
  for (const name of ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"] as const) {
    if (env[name]?.trim()) {
      s.hfToken = env[name]!.trim();
      s.hfTokenSource = name;
      break;
    }
  }
  if (!s.hfToken) {
    const file = hfTokenFile(env);
    const t = readTokenFile(file);
    if (t) {
      s.hfToken = t;
      s.hfTokenSource = file;
    }
  }
  for (const name of ["MODELSCOPE_API_TOKEN", "MODELSCOPE_TOKEN"] as const) {
    if (env[name]?.trim()) {
      s.msToken = env[name]!.trim();
      s.msTokenSource = name;
      break;
    }
  }
  if (!s.msToken) {
    // A `modelscope login` (or `hubferry login --hub ms`): the session cookie for this endpoint.
    const t = readMsSessionToken(s.msEndpoint, env);
    if (t) {
      s.msToken = t;
      s.msTokenSource = join(msCredentialsDir(env), "cookies");
    }
  }
  if (env.HUBFERRY_DEST_ENDPOINT?.trim()) {
    try {
      s.destEndpoint = endpointUrl(env.HUBFERRY_DEST_ENDPOINT, "HUBFERRY_DEST_ENDPOINT");
    } catch (err) {
      // Said when a destination is reached for, so commands that have none still run.
      s.destEndpointProblem = err as HubferryError;
    }
  }
  if (env[DEST_TOKEN_VAR]?.trim()) s.destToken = env[DEST_TOKEN_VAR]!.trim();
  checkWellFormed(s);
  return s;
}

/** An endpoint as typed (`--dest-endpoint`, HUBFERRY_DEST_ENDPOINT): an http(s) origin, no trailing slash. */
export function endpointUrl(text: string, what: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text.trim());
  } catch {}
  // Credentials in the URL are refused without being echoed: the text is shown only without any.
  const credentials = !!url?.username || !!url?.password || text.includes("@");
  if (credentials)
    throw new HubferryError(
      "BAD_INPUT",
      `${what} holds credentials (user:secret@): they are not sent, and the URL was not used`,
      `give the server's address alone; the token goes in ${DEST_TOKEN_VAR}`,
    );
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:"))
    throw new HubferryError(
      "BAD_INPUT",
      `${what} must be an http(s) URL such as https://hub.example.org, not "${text}"`,
      "give the server's address, e.g. --dest-endpoint https://hub.example.org",
    );
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

function checkWellFormed(s: HubSettings): void {
  const hf = s.hfToken && tokenProblem(s.hfToken, s.hfTokenSource ?? "the Hugging Face token");
  if (hf) {
    s.hfTokenProblem = hf;
    s.hfToken = undefined;
  }
  const ms = s.msToken && tokenProblem(s.msToken, s.msTokenSource ?? "the ModelScope token");
  if (ms) {
    s.msTokenProblem = ms;
    s.msToken = undefined;
  }
  const dest = s.destToken && tokenProblem(s.destToken, DEST_TOKEN_VAR);
  if (dest) {
    s.destTokenProblem = dest;
    s.destToken = undefined;
  }
}
