import { z } from "zod";
import { readCookie, SESSION_COOKIE } from "../auth/credentials.js";
import type { RequestContext } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { readMsJson } from "./ms-body.js";
import { msOk, openapiOk } from "./ms-envelope.js";
import { notLoggedIn } from "./ms-repo-access.js";

const LoginSchema = z.object({ AccessToken: z.string().min(1) });

/**
 * `POST /api/v1/login {AccessToken}`. As on the real site, the session cookie is a fresh random
 * id mapped to the user (never the token), with an expiry the SDKs' cookie jars honour. It is
 * host-only (no Domain: Python's cookie jar would not send a cookie whose domain has a port).
 * `Data.AccessToken` is the git token the SDKs save: the caller's own token, as they sent it.
 */
export async function login(ctx: RequestContext): Promise<void> {
  const parsed = LoginSchema.safeParse(await readMsJson(ctx, "small"));
  if (!parsed.success) throw new HttpError(400, 'AccessToken is required (a JSON body {"AccessToken": ...})');
  const token = parsed.data.AccessToken;
  const who = ctx.hub.users.lookup(token);
  if (!who) throw new HttpError(401, "Invalid AccessToken: no user has this token", { code: "10030000001" });
  const session = ctx.hub.sessions.create(who);
  const maxAge = ctx.hub.sessions.ttlSeconds;
  msOk(
    ctx,
    { AccessToken: token, Username: who.user.name, Email: who.user.email, Nickname: who.user.fullname },
    {},
    {
      "Set-Cookie": `${SESSION_COOKIE}=${session.id}; Path=/; Max-Age=${maxAge}; Expires=${session.expiresAt.toUTCString()}; HttpOnly`,
    },
  );
}

/**
 * `POST /api/v1/logout`: ends the session named by the `m_session_id` cookie (the SDKs only
 * forget their files; a browser-style logout is this). Clears the cookie either way.
 */
export async function logout(ctx: RequestContext): Promise<void> {
  ctx.req.resume();
  const id = readCookie(ctx.req, SESSION_COOKIE);
  const ended = id ? ctx.hub.sessions.end(id) : false;
  msOk(ctx, { LoggedOut: ended }, {}, { "Set-Cookie": `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly` });
}

/** `GET /openapi/v1/users/me`: the new SDK's whoami. */
export async function usersMe(ctx: RequestContext): Promise<void> {
  if (!ctx.who) throw notLoggedIn();
  const u = ctx.who.user;
  openapiOk(ctx, {
    id: Number.parseInt(u.id.slice(0, 8), 16),
    username: u.name,
    email: u.email,
    nickname: u.fullname,
    avatar_url: "",
    description: "",
  });
}
