/** How long to wait before retry `attempt` (1-based): server hints first, then exponential backoff. */
export function retryDelayMs(
  attempt: number,
  headers: Record<string, string | string[] | undefined>,
  policy: { baseMs: number; maxMs: number },
): { ms: number; fromServer: boolean } {
  const retryAfter = header(headers, "retry-after");
  if (retryAfter !== undefined) {
    const secs = Number(retryAfter);
    if (Number.isFinite(secs) && secs >= 0) return { ms: Math.min(secs * 1000, 300_000), fromServer: true };
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date))
      return { ms: Math.min(Math.max(0, date - Date.now()), 300_000), fromServer: true };
  }
  const rateLimit = header(headers, "ratelimit");
  if (rateLimit) {
    const r = /r=(\d+)/.exec(rateLimit);
    const t = /t=(\d+)/.exec(rateLimit);
    if (r && t && Number(r[1]) === 0)
      return { ms: Math.min((Number(t[1]) + 1) * 1000, 300_000), fromServer: true };
  }
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  // Full jitter keeps parallel workers from retrying in lockstep.
  return { ms: Math.round(exp / 2 + (Math.random() * exp) / 2), fromServer: false };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
