import type { Readable } from "node:stream";
import { discardRest } from "./context.js";
import { HttpError } from "./http-error.js";

/**
 * The lines of a body (split on `\n`, a trailing `\r` dropped), none longer than `maxLine` bytes:
 * readline would hold a line of any length in memory. A longer line is a 413 naming the limit;
 * the rest of the body is then dropped unread (not cut), so the client still gets the answer.
 */
export async function* boundedLines(body: Readable, maxLine: number, hint: string): AsyncGenerator<string> {
  const parts: Buffer[] = [];
  let size = 0;
  let lineNo = 0;
  const tooLong = () => {
    discardRest(body as Parameters<typeof discardRest>[0]);
    return new HttpError(
      413,
      `Line ${lineNo + 1} of the request body is longer than ${Math.floor(maxLine / (1024 * 1024))} MiB; ${hint}`,
    );
  };
  const take = (): string => {
    const line = Buffer.concat(parts, size).toString("utf8");
    parts.length = 0;
    size = 0;
    lineNo++;
    return line.endsWith("\r") ? line.slice(0, -1) : line;
  };
  for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      if (size + nl - start > maxLine) throw tooLong();
      parts.push(chunk.subarray(start, nl));
      size += nl - start;
      start = nl + 1;
      yield take();
    }
    if (start < chunk.byteLength) {
      size += chunk.byteLength - start;
      if (size > maxLine) throw tooLong();
      parts.push(chunk.subarray(start));
    }
  }
  if (size > 0) yield take();
}
