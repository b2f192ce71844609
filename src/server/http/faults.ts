import type { IncomingMessage, ServerResponse } from "node:http";
import { Transform } from "node:stream";
import { z } from "zod";

/**
 * Fault injection for tests: rules matched on method, route name or path make the next matching
 * requests fail the way real networks and hubs do. Nothing happens unless a rule was added.
 */
export const FaultRuleSchema = z.object({
  method: z.string().optional(),
  route: z.string().optional(),
  /** A regular expression tested against the path and query string. */
  path: z.string().optional(),
  /** `throw` and `uncaught` stand in for a handler bug (answered 500, logged; the server goes on). */
  kind: z.enum(["status", "reset", "truncate", "corrupt", "slow", "throttle", "throw", "uncaught"]),
  /** `request` (default): before the handler runs. `commit`: a slow commit, inside the repo's commit lock. */
  stage: z.enum(["request", "commit"]).default("request"),
  status: z.number().int().min(400).max(599).default(503),
  retryAfter: z.number().int().min(0).optional(),
  delayMs: z.number().int().min(0).max(120_000).default(0),
  /** For reset/truncate/corrupt: how many body bytes pass first (default: half the body). */
  afterBytes: z.number().int().min(0).optional(),
  /** For throttle: the request body is read, and the response body written, at this rate. */
  bytesPerSecond: z
    .number()
    .int()
    .min(1024)
    .max(1024 ** 3)
    .default(1024 * 1024),
  times: z.number().int().positive().default(1),
  skip: z.number().int().min(0).default(0),
});

export type FaultRuleInput = z.input<typeof FaultRuleSchema>;
export type FaultRule = z.output<typeof FaultRuleSchema> & { id: number; hits: number; seen: number };

export class FaultInjector {
  private rules: FaultRule[] = [];
  private nextId = 1;

  add(input: FaultRuleInput): FaultRule {
    const rule = { ...FaultRuleSchema.parse(input), id: this.nextId++, hits: 0, seen: 0 };
    this.rules.push(rule);
    return rule;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** Picks the rule that fires for this request, if any, and counts it. */
  take(
    method: string,
    route: string,
    path: string,
    stage: "request" | "commit" = "request",
  ): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.stage !== stage || rule.hits >= rule.times) continue;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (rule.route && rule.route !== route) continue;
      if (rule.path && !new RegExp(rule.path).test(path)) continue;
      rule.seen++;
      if (rule.seen <= rule.skip) continue;
      rule.hits++;
      return rule;
    }
    return undefined;
  }
}

/** Makes the response body misbehave as the rule says: cut the connection, stop short, or flip a byte. */
export function sabotageBody(res: ServerResponse, rule: FaultRule): void {
  const originalWrite = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  const originalEnd = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let written = 0;
  let done = false;
  const limit = () => {
    if (rule.afterBytes !== undefined) return rule.afterBytes;
    const len = Number(res.getHeader("content-length"));
    return Number.isFinite(len) && len > 1 ? Math.floor(len / 2) : 0;
  };
  const cut = () => {
    done = true;
    if (rule.kind === "reset") res.socket?.resetAndDestroy?.() ?? res.socket?.destroy();
    else res.socket?.end();
  };
  const process = (chunk: unknown): Buffer | undefined => {
    if (chunk === undefined || chunk === null || typeof chunk === "function") return undefined;
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    const max = limit();
    if (rule.kind === "corrupt") {
      if (written <= max && max < written + buf.length) {
        buf = Buffer.from(buf);
        buf[max - written] = (buf[max - written] ?? 0) ^ 0xff;
      }
    } else if (written + buf.length > max) {
      buf = buf.subarray(0, Math.max(0, max - written));
    }
    written += buf.length;
    return buf;
  };
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (done) return false;
    const buf = process(chunk);
    const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    if (rule.kind !== "corrupt" && written >= limit()) {
      if (buf && buf.length > 0) originalWrite(buf);
      if (!res.headersSent) res.flushHeaders();
      setImmediate(cut);
      done = true;
      return false;
    }
    // The callback waits for the socket: a sender that reuses its buffers may refill them only then.
    if (buf && buf.length > 0) return originalWrite(buf, cb);
    cb?.();
    return true;
  }) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (done) return res;
    const buf = process(chunk);
    if (rule.kind === "corrupt") return originalEnd(buf, ...rest.filter((r) => typeof r === "function"));
    if (buf && buf.length > 0) originalWrite(buf);
    if (!res.headersSent) res.flushHeaders();
    setImmediate(cut);
    done = true;
    return res;
  }) as typeof res.end;
}

/** Applies a `stage: "commit"` rule: the commit holds its lock for `delayMs` longer. */
export async function slowCommit(
  faults: FaultInjector,
  method: string,
  route: string,
  path: string,
): Promise<void> {
  const rule = faults.take(method, route, path, "commit");
  if (rule) await new Promise((r) => setTimeout(r, rule.delayMs));
}

/** Passes bytes on at `bytesPerSecond`, in slices of a tenth of a second. */
function throttle(bytesPerSecond: number): Transform {
  const slice = Math.max(1, Math.floor(bytesPerSecond / 10));
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const push = async () => {
        for (let off = 0; off < chunk.length; off += slice) {
          await new Promise((r) => setTimeout(r, 100));
          this.push(chunk.subarray(off, off + slice));
        }
      };
      push().then(() => done(), done);
    },
  });
}

/**
 * A `throttle` rule: the request body as the handler reads it, at the rule's rate (a slow link
 * from the client's side: its HTTP client waits for the socket to drain). Headers stay readable.
 */
export function throttledRequest(req: IncomingMessage, rule: FaultRule): IncomingMessage {
  const slow = req.pipe(throttle(rule.bytesPerSecond));
  req.on("error", (err) => slow.destroy(err));
  return Object.assign(slow, {
    headers: req.headers,
    method: req.method,
    url: req.url,
    socket: req.socket,
  }) as unknown as IncomingMessage;
}

/** A `throttle` rule on the response: each write is followed by a wait at the rule's rate. */
export function throttleResponse(res: ServerResponse, rule: FaultRule): void {
  const originalWrite = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    const n = Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? chunk.byteLength : String(chunk).length;
    const waitMs = Math.ceil((1000 * n) / rule.bytesPerSecond);
    // Writers that wait for the write's callback (send-file) get it only after the rule's wait too.
    const last = rest.length - 1;
    if (typeof rest[last] === "function") {
      const done = rest[last] as (err?: Error | null) => void;
      rest[last] = (err?: Error | null) => setTimeout(() => done(err), waitMs);
    }
    originalWrite(chunk, ...rest);
    // Writers that respect backpressure (pipe, pipeline) wait for this drain.
    setTimeout(() => res.emit("drain"), waitMs);
    return false;
  }) as typeof res.write;
}
