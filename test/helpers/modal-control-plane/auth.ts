import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The credentials the control plane accepts: one Modal token pair, and the JWTs it mints itself
 * (the control plane's `x-modal-auth-token`, and one router JWT per sandbox task).
 */
export class ModalAuth {
  readonly tokenId = `ak-${randomBytes(8).toString("hex")}`;
  readonly tokenSecret = `as-${randomBytes(16).toString("hex")}`;
  private readonly key = randomBytes(32);

  /** A compact HS256 JWT with an `exp` an hour away (the SDK schedules refreshes from it). */
  mint(claims: Record<string, string>): string {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
    return `${body}.${this.sign(body)}`;
  }

  /** The claims of a JWT this control plane minted and that has not expired, or undefined. */
  verify(jwt: string | undefined): Record<string, unknown> | undefined {
    const parts = jwt?.split(".");
    if (parts?.length !== 3) return undefined;
    const [head, payload, sig] = parts as [string, string, string];
    const want = Buffer.from(this.sign(`${head}.${payload}`));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    return typeof claims.exp === "number" && claims.exp * 1000 > Date.now() ? claims : undefined;
  }

  tokenPairMatches(id: string | undefined, secret: string | undefined): boolean {
    return id === this.tokenId && secret === this.tokenSecret;
  }

  private sign(body: string): string {
    return createHmac("sha256", this.key).update(body).digest("base64url");
  }
}
