import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Pre-signed URLs, as the real hubs hand out for LFS transfers: the URL carries its own
 * authorisation (an expiry and an HMAC of the path), so clients send no token with it.
 */
export class UrlSigner {
  constructor(private readonly secret: Buffer) {}

  private mac(path: string, exp: number): string {
    return createHmac("sha256", this.secret).update(`${path}\n${exp}`).digest("hex").slice(0, 40);
  }

  sign(baseUrl: string, path: string, ttlSeconds = 3600, extra: Record<string, string> = {}): string {
    const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
    const q = new URLSearchParams({ ...extra, exp: String(exp), sig: this.mac(path, exp) });
    return `${baseUrl}${path}?${q}`;
  }

  verify(path: string, query: URLSearchParams): boolean {
    const exp = Number(query.get("exp"));
    const sig = query.get("sig") ?? "";
    if (!Number.isFinite(exp) || exp < Date.now() / 1000) return false;
    const expected = Buffer.from(this.mac(path, exp));
    const given = Buffer.from(sig);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
