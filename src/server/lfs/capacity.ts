import { statfs } from "node:fs/promises";
import { type Readable, Transform } from "node:stream";
import bytes from "bytes";
import type { RequestContext } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import type { HubState } from "../hub-state.js";

const human = (n: number) => bytes.format(n, { unitSeparator: " " }) ?? `${n} bytes`;

/** Every error here also closes the connection, so a refused body is not read to its end. */
const CLOSE = { headers: { Connection: "close" } };

/** Why an object of `size` bytes cannot be stored now (413 too large, 507 disk), or undefined. */
export async function capacityProblem(
  hub: HubState,
  size: number,
): Promise<{ status: 413 | 507; message: string } | undefined> {
  const max = hub.options.maxObjectSize;
  if (size > max)
    return {
      status: 413,
      message: `object of ${human(size)} is larger than this hub accepts (${human(max)}, serve --max-object-size)`,
    };
  const fs = await statfs(hub.root);
  const free = Number(fs.bavail) * Number(fs.bsize);
  if (free - size < hub.options.minFreeDisk)
    return {
      status: 507,
      message: `insufficient storage: ${human(size)} would leave less than ${human(hub.options.minFreeDisk)} free on the hub's disk (${human(free)} free); free some space or lower serve --min-free-disk`,
    };
  return undefined;
}

export async function checkCapacity(hub: HubState, size: number): Promise<void> {
  const problem = await capacityProblem(hub, size);
  if (problem) throw new HttpError(problem.status, problem.message, CLOSE);
}

/**
 * The request body of an upload of `declared` bytes, refused before a byte is read on size, disk
 * space, or a Content-Length that already says more; the stream fails (413) the moment the body
 * runs longer than declared (chunked bodies, liars). The request itself is not destroyed with
 * it, so the refusal can still be answered; it then closes the connection.
 */
export async function admitBody(ctx: RequestContext, declared: number, what: string): Promise<Readable> {
  await checkCapacity(ctx.hub, declared);
  const length = ctx.req.headers["content-length"];
  if (length !== undefined && Number(length) > declared)
    throw new HttpError(413, `${what}: the body has ${length} bytes; ${declared} were announced`, CLOSE);
  let seen = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.byteLength;
      if (seen > declared)
        done(new HttpError(413, `${what}: the body runs past the ${declared} bytes announced`, CLOSE));
      else done(null, chunk);
    },
  });
  const req = ctx.req;
  req.once("error", (err) => cap.destroy(err));
  req.once("close", () => {
    if (!req.complete) cap.destroy(new Error(`${what}: the client went away mid-body`));
  });
  return req.pipe(cap);
}
