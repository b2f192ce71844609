import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * Xet read tokens (hub-docs `docs/xet/auth.md`): short-lived bearer tokens for the CAS routes,
 * scoped to one repo. Stateless: the token is its claims plus an HMAC under a key derived from
 * the hub's signing key, so it survives restarts like signed URLs do and needs no table.
 *
 * The repo is named by its `objectId`, not its name: a repo deleted and made again under the
 * same name is another repo, and an old token does not read it.
 */
const ClaimsSchema = z.object({
  /** objectId of the repo. */
  r: z.string().regex(/^[0-9a-f]{24}$/),
  /** Scope: read only in this increment. */
  s: z.literal("read"),
  exp: z.number().int(),
});

export type XetClaims = z.infer<typeof ClaimsSchema>;

export const XET_TOKEN_TTL_SECONDS = 3600;

export class XetTokens {
  private readonly key: Buffer;

  constructor(hubKey: Buffer) {
    // Domain separation: a token MAC can never double as a signed-URL MAC.
    this.key = createHmac("sha256", hubKey).update("hubferry xet tokens v1").digest();
  }

  private mac(body: string): string {
    return createHmac("sha256", this.key).update(body).digest("base64url");
  }

  issue(repoObjectId: string, ttlSeconds = XET_TOKEN_TTL_SECONDS): { accessToken: string; exp: number } {
    const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
    const claims: XetClaims = { r: repoObjectId, s: "read", exp };
    const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
    return { accessToken: `xet_${body}.${this.mac(body)}`, exp };
  }

  /** The claims of a valid, unexpired token, else null. */
  verify(token: string | undefined): XetClaims | null {
    const m = /^xet_([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token ?? "");
    if (!m) return null;
    const expected = Buffer.from(this.mac(m[1]!));
    const given = Buffer.from(m[2]!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const claims = ClaimsSchema.parse(JSON.parse(Buffer.from(m[1]!, "base64url").toString("utf8")));
      return claims.exp > Date.now() / 1000 ? claims : null;
    } catch {
      return null;
    }
  }
}
