import type { IncomingMessage, ServerResponse } from "node:http";

/** Query parameters whose values are credentials (URL signatures, tokens): never logged. */
const SECRET_PARAM = /sig|signature|token|auth|session|credential|secret|key|password/i;

/** The request target as logged: the path as sent, and the query with every secret value masked. */
export function loggablePath(rawUrl: string): string {
  const q = rawUrl.indexOf("?");
  if (q < 0) return rawUrl;
  const parts = rawUrl
    .slice(q + 1)
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_PARAM.test(name) ? `${name}=***` : pair;
    });
  return parts.length ? `${rawUrl.slice(0, q)}?${parts.join("&")}` : rawUrl.slice(0, q);
}

/** Counts the body bytes a response really sends (after any fault sabotage, which wraps later). */
export function countBodyBytes(res: ServerResponse): () => number {
  let bytes = 0;
  const size = (chunk: unknown) =>
    typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk instanceof Uint8Array ? chunk.byteLength : 0;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    bytes += size(chunk);
    return write(chunk, ...rest);
  }) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    bytes += size(chunk);
    return end(chunk, ...rest);
  }) as typeof res.end;
  return () => bytes;
}

export interface AccessEntry {
  req: IncomingMessage;
  res: ServerResponse;
  startedAt: number;
  bytes: number;
  user: string | undefined;
  /** The request's credential, masked wherever it shows up (a token pasted into a path...). */
  secret: string | undefined;
}

/**
 * One line per request: time, method, path, status, body bytes, duration, user ("-" when
 * anonymous; "aborted" marks a response the client did not wait for). Never a token, cookie or
 * URL signature.
 */
export function accessLine(e: AccessEntry): string {
  const ms = Math.round(performance.now() - e.startedAt);
  const status = e.res.writableFinished ? String(e.res.statusCode) : `${e.res.statusCode}-aborted`;
  let line = [
    new Date().toISOString(),
    e.req.method ?? "-",
    loggablePath(e.req.url ?? "/"),
    status,
    String(e.bytes),
    `${ms}ms`,
    e.user ?? "-",
  ].join(" ");
  if (e.secret && e.secret.length >= 4) line = line.split(e.secret).join("***");
  return line;
}
