import type { IncomingMessage } from "node:http";
import { HttpError } from "../http/http-error.js";
import type { SessionTable } from "./sessions.js";
import type { AuthedUser, UserTable } from "./users.js";

export const SESSION_COOKIE = "m_session_id";

/**
 * Reads one cookie. A value that is not valid percent-encoding is the caller's mistake (a 400
 * naming the cookie), never an exception that escapes the request.
 */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw.replace(/^"(.*)"$/, "$1"));
    } catch {
      throw new HttpError(400, `Malformed cookie ${name}: its value is not valid percent-encoding`);
    }
  }
  return undefined;
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m?.[1]?.trim() || undefined;
}

export interface Caller {
  /** The credential the request carried (a token or a session id); only for masking in logs. */
  secret: string | undefined;
  who: AuthedUser | undefined;
  /** A Bearer credential no user has: refused (401), as the hubs do. */
  rejected: boolean;
}

/**
 * Who is calling: `Authorization: Bearer` first, then the session cookie. Either may hold an
 * access token or a login session id: the SDKs send the raw token as `m_session_id` when they
 * have one, and the legacy SDK sends its stored session cookie back as a Bearer token. An unknown
 * cookie (a session that expired, was logged out or predates a restart) is anonymous, as on the
 * site, so public files stay readable with a stale cookie jar.
 */
export function identify(req: IncomingMessage, users: UserTable, sessions: SessionTable): Caller {
  const bearer = bearerToken(req);
  const secret = bearer ?? readCookie(req, SESSION_COOKIE);
  if (!secret) return { secret, who: undefined, rejected: false };
  const who = users.lookup(secret) ?? sessions.lookup(secret);
  return { secret, who, rejected: !who && bearer !== undefined };
}
