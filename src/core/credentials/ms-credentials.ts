import { readFileSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { Parser } from "pickleparser";
import { z } from "zod";
import { PickleObject, PickleTuple, pickle } from "../../formats/pickle-writer.js";
import { writeSecretFile } from "../atomic-write.js";

/**
 * The ModelScope login, kept where both SDK generations keep it: `~/.modelscope/credentials/`
 * (`MODELSCOPE_CREDENTIALS_PATH`, or `$MODELSCOPE_HOME/credentials`) with `cookies` (a pickled
 * requests cookie jar whose `m_session_id` is the token), `git_token` and `user` (`name:email`).
 */
export function msCredentialsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MODELSCOPE_CREDENTIALS_PATH) return env.MODELSCOPE_CREDENTIALS_PATH;
  if (env.MODELSCOPE_HOME) return join(env.MODELSCOPE_HOME, "credentials");
  return join(env.HOME ?? homedir(), ".modelscope", "credentials");
}

const CookieSchema = z.object({
  name: z.string(),
  value: z.string().nullable(),
  domain: z.string(),
  expires: z.number().nullish(),
});

function domainMatches(host: string, domain: string): boolean {
  const d = domain.replace(/^\./, "").toLowerCase();
  const h = host.toLowerCase();
  return h === d || h.endsWith(`.${d}`);
}

/** The token a `modelscope login` left for this endpoint, if it is there and not expired. */
export function readMsSessionToken(
  endpoint: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  let jar: unknown;
  try {
    jar = new Parser().parse(readFileSync(join(msCredentialsDir(env), "cookies")));
  } catch {
    return undefined;
  }
  const host = new URL(endpoint).hostname;
  const domains =
    (jar as { _cookies?: Record<string, Record<string, Record<string, unknown>>> })._cookies ?? {};
  for (const paths of Object.values(domains))
    for (const cookies of Object.values(paths ?? {}))
      for (const raw of Object.values(cookies ?? {})) {
        const c = CookieSchema.safeParse(raw);
        if (!c.success || c.data.name !== "m_session_id" || !c.data.value) continue;
        if (!domainMatches(host, c.data.domain)) continue;
        if (c.data.expires && c.data.expires * 1000 < Date.now()) continue;
        return c.data.value;
      }
  return undefined;
}

const POLICY = new PickleObject("http.cookiejar", "DefaultCookiePolicy", {
  netscape: true,
  rfc2965: false,
  rfc2109_as_netscape: null,
  hide_cookie2: false,
  strict_domain: false,
  strict_rfc2965_unverifiable: true,
  strict_ns_unverifiable: false,
  strict_ns_domain: 0,
  strict_ns_set_initial_dollar: false,
  strict_ns_set_path: false,
  secure_protocols: new PickleTuple(["https", "wss"]),
  _blocked_domains: new PickleTuple([]),
  _allowed_domains: null,
});

/** A `requests.cookies.RequestsCookieJar` holding one `m_session_id`, as modelscope-hub's `save_token` builds it. */
export function sessionCookieJar(token: string, domain: string, expires: number): Buffer {
  const cookie = new PickleObject("http.cookiejar", "Cookie", {
    version: 0,
    name: "m_session_id",
    value: token,
    port: null,
    port_specified: false,
    domain,
    domain_specified: true,
    domain_initial_dot: false,
    path: "/",
    path_specified: true,
    secure: false,
    expires,
    discard: false,
    comment: null,
    comment_url: null,
    rfc2109: false,
    _rest: {},
  });
  return pickle(
    new PickleObject("requests.cookies", "RequestsCookieJar", {
      _policy: POLICY,
      _cookies: { [domain]: { "/": { m_session_id: cookie } } },
    }),
  );
}

export async function saveMsLogin(
  endpoint: string,
  login: { token: string; gitToken?: string; username: string; email?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const dir = msCredentialsDir(env);
  const host = new URL(endpoint).hostname;
  // The SDKs keep the session 30 days.
  const expires = Math.floor(Date.now() / 1000) + 30 * 24 * 3600;
  await writeSecretFile(join(dir, "cookies"), sessionCookieJar(login.token, host, expires));
  if (login.gitToken) await writeSecretFile(join(dir, "git_token"), login.gitToken);
  await writeSecretFile(join(dir, "user"), `${login.username}:${login.email ?? ""}`);
  return dir;
}

/** Removes the stored login, as modelscope-hub's `logout` does (the install `session` id stays). */
export async function removeMsLogin(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const dir = msCredentialsDir(env);
  const removed: string[] = [];
  for (const name of ["cookies", "git_token", "user"]) {
    const path = join(dir, name);
    if (
      await readFile(path).then(
        () => true,
        () => false,
      )
    )
      removed.push(path);
    await rm(path, { force: true });
  }
  return removed;
}
