import { z } from "zod";
import { type RequestContext, readJson } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { msOk, openapiOk } from "./ms-envelope.js";
import { notLoggedIn } from "./ms-repo-access.js";

const LoginSchema = z.object({ AccessToken: z.string().min(1) });

/**
 * `POST /api/v1/login {AccessToken}`. The SDKs persist only the cookie jar of this response, so
 * the session cookie carries the token itself, host-only (no Domain: Python's cookie jar would
 * not send a cookie whose domain has a port) and without an expiry.
 */
export async function login(ctx: RequestContext): Promise<void> {
  const parsed = LoginSchema.safeParse(await readJson(ctx));
  if (!parsed.success) throw new HttpError(400, "AccessToken is required");
  const token = parsed.data.AccessToken;
  const who = ctx.hub.users.lookup(token);
  if (!who) throw new HttpError(401, "Invalid AccessToken: no user has this token", { code: "10030000001" });
  msOk(
    ctx,
    { AccessToken: token, Username: who.user.name, Email: who.user.email, Nickname: who.user.fullname },
    {},
    { "Set-Cookie": `m_session_id=${encodeURIComponent(token)}; Path=/; HttpOnly` },
  );
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
