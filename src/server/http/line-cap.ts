import type { IncomingMessage } from "node:http";
import { type Readable, Transform } from "node:stream";
import { HttpError } from "./http-error.js";

/**
 * The request body with every line held to `maxLine` bytes: a line reader (readline) keeps a whole
 * line in memory, so one endless line would grow the hub until it dies. Fails with a 413 (closing
 * the connection) the moment a line runs longer; a client gone mid-body fails it too.
 */
export function capLines(req: IncomingMessage, maxLine: number, what: string): Readable {
  let run = 0; // bytes of the line not yet ended
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      for (let start = 0; ; ) {
        const nl = chunk.indexOf(10, start);
        const seg = (nl < 0 ? chunk.byteLength : nl) - start;
        if (run + seg > maxLine) {
          const headers = { Connection: "close" };
          done(new HttpError(413, `${what}: a line is longer than ${maxLine} bytes`, { headers }));
          return;
        }
        if (nl < 0) {
          run += seg;
          break;
        }
        run = 0;
        start = nl + 1;
      }
      done(null, chunk);
    },
  });
  req.once("error", (err) => cap.destroy(err));
  req.once("close", () => {
    if (!req.complete) cap.destroy(new Error(`${what}: the client went away mid-body`));
  });
  return req.pipe(cap);
}
