import { HubferryError } from "../../core/errors.js";

/** The three rate-limit buckets of the real Hugging Face Hub. */
export type Bucket = "api" | "resolvers" | "pages";

export type RateLimits = Record<Bucket, number>;

export const UNLIMITED: RateLimits = {
  api: Number.POSITIVE_INFINITY,
  resolvers: Number.POSITIVE_INFINITY,
  pages: Number.POSITIVE_INFINITY,
};

/**
 * Fixed-window counters per caller and bucket, answering with the IETF draft headers the hub sends
 * (`RateLimit: "api";r=..;t=..` and `RateLimit-Policy`). Off (infinite quota) unless limits are given.
 */
export class RateLimiter {
  private windowStart = Date.now();
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly limits: RateLimits = UNLIMITED,
    private readonly windowSeconds = 300,
  ) {}

  /** Counts one request; returns the headers to send and whether it is over the limit. */
  hit(
    caller: string,
    bucket: Bucket,
  ): { headers: Record<string, string>; limited: boolean; resetSeconds: number } {
    const now = Date.now();
    if (now - this.windowStart >= this.windowSeconds * 1000) {
      this.windowStart = now;
      this.counts.clear();
    }
    const key = `${bucket}:${caller}`;
    const used = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, used);
    const quota = this.limits[bucket];
    const resetSeconds = Math.max(1, Math.ceil((this.windowStart + this.windowSeconds * 1000 - now) / 1000));
    const q = Number.isFinite(quota) ? quota : 1_000_000;
    const remaining = Math.max(0, q - used);
    return {
      headers: {
        RateLimit: `"${bucket}";r=${remaining};t=${resetSeconds}`,
        "RateLimit-Policy": `"fixed window";"${bucket}";q=${q};w=${this.windowSeconds}`,
      },
      limited: used > quota,
      resetSeconds,
    };
  }
}

export function parseRateLimits(spec: string): RateLimits {
  const limits = { ...UNLIMITED };
  for (const part of spec.split(",").filter(Boolean)) {
    const [bucket, value] = part.split("=");
    if (bucket !== "api" && bucket !== "resolvers" && bucket !== "pages") {
      throw new HubferryError(
        "BAD_INPUT",
        `--rate-limit: unknown bucket "${bucket}" (use api, resolvers or pages, e.g. api=1000,resolvers=5000)`,
      );
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0)
      throw new HubferryError("BAD_INPUT", `--rate-limit: "${part}" needs a positive whole number`);
    limits[bucket] = n;
  }
  return limits;
}
