/** Bytes `start..end` (inclusive) of one remote or local file. */
export type RangeReader = (start: number, end: number) => Promise<Buffer>;

/** Thrown by a header parser that ran past the bytes it was given; the caller fetches more. */
export class NeedMoreBytes extends Error {
  constructor(readonly needed: number) {
    super(`need at least ${needed} bytes`);
  }
}

/**
 * Parses a header of unknown length from the start of a file with as few ranged reads as it can:
 * a first read of `first` bytes, then reads doubling in size until the parser is satisfied or
 * `max` is reached.
 */
export async function parsePrefix<T>(
  read: RangeReader,
  fileSize: number,
  parse: (head: Buffer) => T,
  opts: { first?: number; max?: number } = {},
): Promise<T> {
  const max = Math.min(opts.max ?? 64 * 1024 * 1024, fileSize);
  let want = Math.min(opts.first ?? 256 * 1024, max);
  let head = Buffer.alloc(0);
  for (;;) {
    if (want > head.length) head = Buffer.concat([head, await read(head.length, want - 1)]);
    try {
      return parse(head);
    } catch (err) {
      if (!(err instanceof NeedMoreBytes) || head.length >= max) throw err;
      want = Math.min(max, Math.max(err.needed, head.length * 2));
    }
  }
}
