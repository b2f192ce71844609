import type { RequestContext } from "./context.js";
import { parseRange } from "./range.js";
import { sendFileRange } from "./send-file.js";

function contentType(path: string): string {
  if (/\.(json)$/i.test(path)) return "application/json; charset=utf-8";
  if (/\.(md|txt|py|yaml|yml|csv|gitattributes|gitignore)$|^\.git/i.test(path.split("/").pop() ?? ""))
    return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

/** The headers of every answer with a file's bytes (the range and length headers aside). */
export function blobHeaders(
  ctx: RequestContext,
  opts: { filename: string; headers: Record<string, string> },
): Record<string, string> {
  return {
    ...ctx.headers,
    ...opts.headers,
    "Accept-Ranges": "bytes",
    "Content-Type": contentType(opts.filename),
    "Content-Disposition": `inline; filename*=UTF-8''${encodeURIComponent(opts.filename.split("/").pop() ?? "file")}`,
  };
}

/**
 * Sends stored bytes with the headers download clients rely on: an explicit Content-Length (HEAD
 * too), Accept-Ranges, and single-range support (206 + Content-Range, 416 when out of range).
 */
export async function sendBlob(
  ctx: RequestContext,
  blob: { sha256: string; size: number },
  opts: { filename: string; headers: Record<string, string> },
): Promise<void> {
  const { res } = ctx;
  const range = parseRange(ctx.req.headers.range, blob.size);
  const base = blobHeaders(ctx, opts);
  if (range.kind === "unsatisfiable" && blob.size === 0) {
    // An empty file has no byte to range over; @huggingface/hub breaks on 416 but reads this.
    res.writeHead(200, { ...base, "Content-Range": "bytes */0", "Content-Length": "0" });
    res.end();
    return;
  }
  if (range.kind === "unsatisfiable") {
    res.writeHead(416, { ...base, "Content-Range": `bytes */${blob.size}`, "Content-Length": "0" });
    res.end();
    return;
  }
  if (range.kind === "partial") {
    res.writeHead(206, {
      ...base,
      "Content-Range": `bytes ${range.start}-${range.end}/${blob.size}`,
      "Content-Length": String(range.end - range.start + 1),
    });
  } else {
    res.writeHead(200, { ...base, "Content-Length": String(blob.size) });
  }
  if (ctx.method === "HEAD" || blob.size === 0) {
    res.end();
    return;
  }
  const file = await ctx.hub.blobs.open(blob.sha256).catch(() => undefined);
  if (!file) {
    // The blob vanished between stat and open (never, short of a hand-edited store): cut the body.
    res.destroy();
    return;
  }
  try {
    const [start, end] = range.kind === "partial" ? [range.start, range.end] : [0, blob.size - 1];
    // false: the client went away or a fault cut the body; nothing more to send.
    if (!(await sendFileRange(res, file, start, end))) res.destroy();
  } catch {
    res.destroy();
  } finally {
    await file.close();
  }
}
