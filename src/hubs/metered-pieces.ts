/** A piece of a request body; `file` says whose content it carries (encoded, e.g. base64). */
export interface BodyPiece {
  data: Buffer;
  file?: { path: string; bytes: number };
}

const SLICE = 64 * 1024;

/**
 * Yields a body piece by piece, in slices, and tells `onSent` each file's share of its content
 * bytes once the HTTP client comes back for the next slice (it waits for the socket to drain
 * first): an inline file's progress follows the commit that carries it.
 */
export async function* meteredPieces(
  pieces: Iterable<BodyPiece>,
  onSent?: (path: string, n: number) => void,
): AsyncGenerator<Buffer> {
  for (const p of pieces) {
    let told = 0;
    for (let off = 0; off < p.data.byteLength; off += SLICE) {
      const end = Math.min(p.data.byteLength, off + SLICE);
      yield p.data.subarray(off, end);
      if (!p.file) continue;
      const upTo = Math.round((p.file.bytes * end) / p.data.byteLength);
      onSent?.(p.file.path, upTo - told);
      told = upTo;
    }
    if (p.file && p.data.byteLength === 0) onSent?.(p.file.path, p.file.bytes);
  }
}
