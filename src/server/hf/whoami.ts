import { type RequestContext, requireUser, sendJson } from "../http/context.js";
import { HttpError } from "../http/http-error.js";

/** `GET /api/whoami-v2`: both clients need `orgs`, and @huggingface/hub dereferences `auth.accessToken`. */
export async function whoami(ctx: RequestContext): Promise<void> {
  if (!ctx.who)
    throw new HttpError(
      401,
      "Invalid user token. If you didn't pass a user token, make sure you are properly logged in.",
    );
  const { user, tokenName, role, tokenCreatedAt } = requireUser(ctx);
  sendJson(ctx, 200, {
    type: "user",
    id: user.id,
    name: user.name,
    fullname: user.fullname,
    email: user.email,
    emailVerified: true,
    isPro: false,
    canPay: false,
    avatarUrl: `${ctx.baseUrl}/avatars/${user.name}.svg`,
    periodEnd: null,
    billingMode: "prepaid",
    orgs: user.orgs.map((org) => ({
      type: "org",
      id: Buffer.from(org.padEnd(12, "0").slice(0, 12)).toString("hex"),
      name: org,
      fullname: ctx.hub.users.orgFullname(org),
      email: null,
      canPay: false,
      avatarUrl: `${ctx.baseUrl}/avatars/${org}.svg`,
      periodEnd: null,
      roleInOrg: "admin",
    })),
    auth: {
      type: "access_token",
      accessToken: { displayName: tokenName, role, createdAt: tokenCreatedAt },
    },
  });
}
