import type { IncomingMessage } from "node:http";
import { PassThrough } from "node:stream";
import bytes from "bytes";
import { HttpError } from "../http/http-error.js";
import type { HubOptions } from "../hub-state.js";

/**
 * Bounds of one NDJSON commit body. huggingface_hub sends a file inline (base64 on one line) only
 * when preupload called it "regular", i.e. under the LFS threshold (10 MB on the real hub and here
 * by default), so a line never needs more than that file's base64 plus its JSON (a path of up to
 * 1024 characters, escaped); the real hub takes at most about 1 GB of inline files per commit
 * (create_commit's docstring), which is 1.34 GB once in base64.
 */
export const INLINE_FILE_CEILING = 64 * 1024 * 1024;
const LINE_OVERHEAD = 64 * 1024;
export const MAX_COMMIT_BODY = 1536 * 1024 * 1024;

/** The largest file preupload lets a client send inline: below the LFS threshold and the ceiling. */
export function inlineFileLimit(options: Pick<HubOptions, "lfsThreshold">): number {
  return Math.min(options.lfsThreshold, INLINE_FILE_CEILING);
}

export function maxCommitLine(options: Pick<HubOptions, "lfsThreshold">): number {
  return Math.ceil(inlineFileLimit(options) / 3) * 4 + LINE_OVERHEAD;
}

/**
 * The lines of a request body, each checked against `maxLine` bytes and the body against
 * `maxBody` while it streams, so neither a line nor the body is ever held past its bound. On any
 * early stop (a limit, or the caller's error on a line) the rest of the body is read and dropped
 * (at most `maxBody` bytes, then the connection is cut) so the client can read the answer.
 */
export async function* ndjsonLines(
  req: IncomingMessage,
  limits: { maxLine: number; maxBody: number },
): AsyncGenerator<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limits.maxBody) throw bodyTooLarge(limits.maxBody, { headers: { Connection: "close" } });
  const source = new PassThrough();
  req.pipe(source);
  let pieces: Buffer[] = [];
  let lineBytes = 0;
  let total = 0;
  let finished = false;
  const take = (): string => {
    const text = Buffer.concat(pieces).toString("utf8");
    pieces = [];
    lineBytes = 0;
    return text.endsWith("\r") ? text.slice(0, -1) : text;
  };
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      total += chunk.byteLength;
      if (total > limits.maxBody) throw bodyTooLarge(limits.maxBody);
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
        if (lineBytes + (nl - start) > limits.maxLine) throw lineTooLong(limits.maxLine);
        pieces.push(chunk.subarray(start, nl));
        start = nl + 1;
        yield take();
      }
      lineBytes += chunk.byteLength - start;
      if (lineBytes > limits.maxLine) throw lineTooLong(limits.maxLine);
      if (start < chunk.byteLength) pieces.push(chunk.subarray(start));
    }
    finished = true;
    if (pieces.length) yield take();
  } finally {
    if (!finished) dropRest(req, source, limits.maxBody);
  }
}

function dropRest(req: IncomingMessage, source: PassThrough, bound: number): void {
  req.unpipe(source);
  source.destroy();
  let dropped = 0;
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.byteLength;
    if (dropped > bound) req.destroy();
  });
  req.resume();
}

const human = (n: number) => bytes.format(n, { unitSeparator: " " }) ?? `${n} bytes`;

function lineTooLong(max: number): HttpError {
  return new HttpError(
    413,
    `A line of the commit payload is longer than ${human(max)} (${max} bytes), the most one file sent inline can take: send files of this size through LFS (preupload marks them "lfs"; upload them with the LFS batch API, then commit an "lfsFile" line)`,
  );
}

function bodyTooLarge(max: number, opts: { headers?: Record<string, string> } = {}): HttpError {
  return new HttpError(
    413,
    `The commit payload is larger than ${human(max)} (${max} bytes), the most one commit may carry: send big files through LFS, or split the change into several commits`,
    opts,
  );
}
