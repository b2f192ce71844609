import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { HubferryError } from "../core/errors.js";

/** Content sha256 and git blob id of a buffer. */
export function hashesOf(data: Uint8Array): { sha256: string; gitOid: string } {
  return {
    sha256: createHash("sha256").update(data).digest("hex"),
    gitOid: createHash("sha1").update(`blob ${data.byteLength}\0`).update(data).digest("hex"),
  };
}

export class IntegrityError extends HubferryError {
  constructor(message: string) {
    super(
      "INTEGRITY",
      message,
      "the source sent bytes that do not match its published hash; re-run to try again",
    );
  }
}

/**
 * Passes bytes through while hashing them, and holds the last chunk back until the whole stream
 * is hashed: on a mismatch the consumer gets an error *instead of* the final bytes, so an upload
 * fed by this never completes with wrong content.
 */
export async function* verifiedStream(
  source: AsyncIterable<Uint8Array>,
  expected: { sha256: string; size: number; path: string },
  onBytes?: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  const hash: Hash = createHash("sha256");
  let held: Uint8Array | undefined;
  let size = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    size += chunk.byteLength;
    if (held) {
      yield held;
      onBytes?.(held.byteLength);
    }
    held = chunk;
  }
  const actual = hash.digest("hex");
  if (size !== expected.size || actual !== expected.sha256) {
    throw new IntegrityError(
      `${expected.path}: got ${size} bytes with sha256 ${actual.slice(0, 12)}…, expected ${expected.size} bytes with sha256 ${expected.sha256.slice(0, 12)}…`,
    );
  }
  if (held) {
    yield held;
    onBytes?.(held.byteLength);
  }
}

/** The content sha256, or the git blob id, of a file on disk, read as a stream. */
export async function hashFile(path: string, kind: "sha256" | "git"): Promise<string> {
  const h =
    kind === "sha256" ? createHash("sha256") : createHash("sha1").update(`blob ${(await stat(path)).size}\0`);
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest("hex");
}
