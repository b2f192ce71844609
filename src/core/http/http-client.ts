import type { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import { request } from "undici";
import { HubferryError, redact } from "../errors.js";
import { RETRYABLE_STATUS, retryDelayMs } from "./backoff.js";

export interface HttpEvents {
  /** A request is retried after `waitMs` (rate limits included). */
  onRetry?(e: {
    method: string;
    url: string;
    attempt: number;
    waitMs: number;
    reason: string;
    rateLimited: boolean;
  }): void;
}

export interface RetryPolicy {
  retries: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 6, baseMs: 500, maxMs: 16_000 };

export type Body = string | Buffer | Uint8Array | Readable | AsyncIterable<Uint8Array> | null;

export interface RequestOptions {
  headers?: Record<string, string>;
  /** A function, so that a retry can send the body again (streams cannot be replayed). */
  body?: () => Body;
  /** Retry 408/429/5xx and network errors (only for requests that are safe to repeat). */
  retry?: boolean;
  /** Follow redirects (GET/HEAD); credentials are dropped when the origin changes. */
  followRedirects?: boolean;
  signal?: AbortSignal;
  /** Statuses returned to the caller instead of thrown. */
  accept?: number[];
  /** Statuses thrown at once even with `retry` (a caller with its own answer to them). */
  noRetry?: number[];
  /**
   * Body bytes as the HTTP client takes them for the socket (it waits for the socket to drain
   * before it takes more), so progress follows what really went out. A failed attempt that is
   * retried is taken back with a negative count.
   */
  onBodyBytes?: (n: number) => void;
}

/** Pieces of a body handed over this size at a time, so a Buffer's progress can be seen. */
const BODY_SLICE = 64 * 1024;

/** The body as an iterable that counts each piece once the client comes back for the next one. */
async function* metered(body: Body, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  if (body === null) return;
  if (typeof body === "string" || body instanceof Uint8Array) {
    const buf = typeof body === "string" ? Buffer.from(body) : body;
    for (let off = 0; off < buf.byteLength; off += BODY_SLICE) {
      const piece = buf.subarray(off, Math.min(buf.byteLength, off + BODY_SLICE));
      yield piece;
      onBytes(piece.byteLength);
    }
    return;
  }
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    const piece = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    yield piece;
    onBytes(piece.byteLength);
  }
}

export interface HttpResponse {
  status: number;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/** Maps an error status to the code users see. */
function codeForStatus(status: number): HubferryError["code"] {
  if (status === 401) return "AUTH_INVALID";
  if (status === 403) return "FORBIDDEN";
  if (status === 404) return "REPO_NOT_FOUND";
  if (status === 429) return "RATE_LIMITED";
  if (status >= 500) return "SERVER";
  return "PROTOCOL";
}

export class HttpStatusError extends HubferryError {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string | string[] | undefined>,
    readonly bodyText: string,
    message: string,
  ) {
    super(codeForStatus(status), message);
  }
}

/**
 * One HTTP client per hub: attaches the token only to the hub's own origin, retries what is safe
 * to retry with backoff that honours Retry-After and RateLimit headers, and never lets a token
 * into an error message.
 */
export class HttpClient {
  constructor(
    private readonly opts: {
      origin: string;
      token?: string;
      /** Extra auth headers for the hub's own origin (e.g. ModelScope's session cookie). */
      authHeaders?: (token: string) => Record<string, string>;
      userAgent: string;
      events?: HttpEvents;
      policy?: RetryPolicy;
    },
  ) {}

  get origin(): string {
    return this.opts.origin;
  }

  private headersFor(url: string, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { "user-agent": this.opts.userAgent, ...extra };
    const sameOrigin = new URL(url).origin === new URL(this.opts.origin).origin;
    if (sameOrigin && this.opts.token) {
      Object.assign(
        h,
        this.opts.authHeaders
          ? this.opts.authHeaders(this.opts.token)
          : { authorization: `Bearer ${this.opts.token}` },
      );
    }
    return h;
  }

  async request(method: string, url: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const policy = this.opts.policy ?? DEFAULT_RETRY;
    const maxAttempts = options.retry ? policy.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      options.signal?.throwIfAborted();
      let res: HttpResponse;
      let sent = 0;
      const attemptOptions: RequestOptions = options.onBodyBytes
        ? {
            ...options,
            onBodyBytes: (n) => {
              sent += n;
              options.onBodyBytes?.(n);
            },
          }
        : options;
      // A retried body starts again from its first byte: progress is taken back.
      const rewind = () => {
        if (sent) options.onBodyBytes?.(-sent);
      };
      try {
        res = await this.once(method, url, attemptOptions);
      } catch (err) {
        if (options.signal?.aborted) throw new HubferryError("CANCELLED", "cancelled");
        if (err instanceof HubferryError || attempt >= maxAttempts) throw this.networkError(method, url, err);
        rewind();
        const wait = retryDelayMs(attempt, {}, policy);
        this.opts.events?.onRetry?.({
          method,
          url,
          attempt,
          waitMs: wait.ms,
          reason: (err as Error).message,
          rateLimited: false,
        });
        await sleep(wait.ms, options.signal);
        continue;
      }
      if (res.status < 400 || options.accept?.includes(res.status)) return res;
      const text = await res.text().catch(() => "");
      if (
        options.retry &&
        RETRYABLE_STATUS.has(res.status) &&
        !options.noRetry?.includes(res.status) &&
        attempt < maxAttempts
      ) {
        rewind();
        const wait = retryDelayMs(attempt, res.headers, policy);
        this.opts.events?.onRetry?.({
          method,
          url,
          attempt,
          waitMs: wait.ms,
          reason: `HTTP ${res.status}`,
          rateLimited: res.status === 429,
        });
        await sleep(wait.ms, options.signal);
        continue;
      }
      throw new HttpStatusError(
        res.status,
        res.headers,
        text,
        this.describe(method, url, `HTTP ${res.status}${summarize(text)}`),
      );
    }
  }

  /**
   * GET of bytes `start..end`, following redirects (credentials stay on the hub's origin). A
   * server that answers a range past byte 0 with the whole body cannot resume: that is an error.
   * `refuseFast`: a 429 is thrown at once rather than waited out (the caller opens fewer streams).
   */
  async getRange(
    url: string,
    start: number,
    end: number,
    what: string,
    signal?: AbortSignal,
    refuseFast?: boolean,
  ): Promise<Readable> {
    const res = await this.request("GET", url, {
      headers: { range: `bytes=${start}-${end}` },
      followRedirects: true,
      retry: true,
      noRetry: refuseFast ? [429] : undefined,
      signal,
    });
    if (res.status === 200 && start > 0) {
      res.body.destroy();
      throw new HubferryError(
        "PROTOCOL",
        `${what}: the server ignored a Range request`,
        "this server cannot resume downloads",
      );
    }
    return res.body;
  }

  private async once(method: string, url: string, options: RequestOptions): Promise<HttpResponse> {
    let current = url;
    // A signal of this request's own: the caller's (often shared by a whole batch) gets no
    // listener per request, so many requests at once never pile listeners onto it.
    const signal = options.signal ? AbortSignal.any([options.signal]) : undefined;
    for (let hop = 0; hop < 6; hop++) {
      const headers = this.headersFor(current, options.headers);
      const raw = options.body?.();
      const sent = raw != null && options.onBodyBytes ? metered(raw, options.onBodyBytes) : raw;
      const res = await request(current, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body: sent as Dispatcher.DispatchOptions["body"],
        signal,
        headersTimeout: 120_000,
        bodyTimeout: 120_000,
      });
      const location = res.headers.location;
      if (options.followRedirects && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.body.resume();
        current = new URL(String(location), current).toString();
        continue;
      }
      const body = res.body as unknown as Readable;
      return {
        status: res.statusCode,
        url: current,
        headers: res.headers,
        body,
        text: () => res.body.text(),
        json: () => res.body.json(),
      };
    }
    throw new HubferryError("PROTOCOL", this.describe(method, url, "too many redirects"));
  }

  private describe(method: string, url: string, what: string): string {
    const u = new URL(url);
    u.search = "";
    return redact(`${method} ${u.toString()}: ${what}`, [this.opts.token]);
  }

  private networkError(method: string, url: string, err: unknown): HubferryError {
    if (err instanceof HubferryError) return err;
    return new HubferryError(
      "NETWORK",
      this.describe(method, url, `network error: ${(err as Error).message}`),
      "check the endpoint and your connection, then re-run: finished files are kept",
    );
  }
}

function summarize(text: string): string {
  if (!text) return "";
  let msg = text;
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    msg = String(j.error ?? j.Message ?? j.message ?? text);
  } catch {
    // plain text
  }
  return `: ${msg.replace(/\s+/g, " ").slice(0, 300)}`;
}

export function sleep(ms: number, shared?: AbortSignal): Promise<void> {
  // Its own signal, so that many waits at once add no listeners to a shared one.
  const signal = shared ? AbortSignal.any([shared]) : undefined;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new HubferryError("CANCELLED", "cancelled"));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new HubferryError("CANCELLED", "cancelled"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The next page of a listing, from an absolute `Link: <url>; rel="next"` header. */
export function nextLink(res: HttpResponse): string | undefined {
  return /<([^>]+)>;\s*rel="next"/.exec(String(res.headers.link ?? ""))?.[1];
}
