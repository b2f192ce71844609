import { Hasher as Blake3 } from "@huggingface/blake3-jit";
import type { Chunk } from "@huggingface/xetchunk-wasm";
import { Hasher as Gear } from "gearhash-jit";

/**
 * Content-defined chunking exactly as hub-docs `docs/xet/chunking.md` defines it (and as hf_xet
 * 1.8.0 cuts: checked against its `hash_files`), streaming.
 *
 * Why not @huggingface/xetchunk-wasm's chunker (0.2.0), whose hashing we do use: it skips
 * `MIN - 64 - 1` bytes and tests the gear hash from the very next byte, so it can cut chunks of
 * 8128..8191 bytes whose boundary was tested on a hash of fewer than 64 bytes. The spec tests only
 * once a chunk is MIN (8 KiB) long, and hf_xet agrees: with xetchunk's cut a file's Xet hash differs
 * from the one huggingface.co would give it. Here the skip stops at `MIN - 64` (the gear hash of
 * the last 64 bytes is the whole hash: older bytes are shifted out) and matches before MIN are
 * ignored, which is the spec's rule at the speed of gearhash-jit's scanner.
 */
export const MIN_CHUNK = 8 * 1024;
export const MAX_CHUNK = 128 * 1024;
const WINDOW = 64;
const MASK = 0xffff000000000000n;
/** DATA_KEY of hub-docs `hashing.md#chunk-hashes`. */
const DATA_KEY = new Uint8Array([
  102, 151, 245, 119, 91, 149, 80, 222, 49, 53, 203, 172, 165, 151, 24, 28, 157, 228, 33, 16, 155, 235, 43,
  88, 180, 208, 176, 75, 147, 173, 242, 41,
]);

export class SpecChunker {
  private readonly gear = new Gear(MASK);
  private readonly blake3 = Blake3.newKeyed(DATA_KEY);
  /** Bytes of the chunk being cut. */
  private size = 0;

  /** Feeds bytes in file order; returns the chunks completed by them. */
  push(data: Uint8Array): Chunk[] {
    const out: Chunk[] = [];
    let pos = 0;
    while (pos < data.length) {
      const from = pos;
      const skipTo = MIN_CHUNK - WINDOW;
      if (this.size < skipTo) {
        pos += Math.min(skipTo - this.size, data.length - pos);
      } else {
        const limit = Math.min(data.length, pos + (MAX_CHUNK - this.size));
        let cut = -1;
        let scan = pos;
        while (scan < limit) {
          const m = this.gear.nextMatch(data.subarray(scan, limit));
          if (m === -1) {
            scan = limit;
            break;
          }
          scan += m;
          if (this.size + (scan - pos) >= MIN_CHUNK) {
            cut = scan;
            break;
          }
        }
        pos = cut === -1 ? scan : cut;
        const reachedMax = this.size + (pos - from) >= MAX_CHUNK;
        this.blake3.update(data.subarray(from, pos));
        this.size += pos - from;
        if (cut !== -1 || reachedMax) out.push(this.emit());
        continue;
      }
      this.blake3.update(data.subarray(from, pos));
      this.size += pos - from;
    }
    return out;
  }

  /** The last, possibly short, chunk (none for an empty file). */
  finish(): Chunk | null {
    return this.size > 0 ? this.emit() : null;
  }

  private emit(): Chunk {
    const chunk = { length: this.size, hash: this.blake3.finalize(32) };
    this.blake3.reset();
    this.gear.resetHash();
    this.size = 0;
    return chunk;
  }
}
