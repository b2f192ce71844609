import { type Chunk, fileHash, hashToHex, xorbHash } from "@huggingface/xetchunk-wasm";
import { SpecChunker } from "./chunker.js";
import { serializedChunkSize } from "./xorb-format.js";

/**
 * How one file is cut into Xet chunks and packed into xorbs: everything the CAS answers need.
 * The merkle hashes (xorb hash, file hash) come from @huggingface/xetchunk-wasm, the port of
 * xet-core's that @huggingface/hub uploads with; the chunk boundaries from `SpecChunker` (see there
 * why not xetchunk's chunker).
 */
export interface XetLayout {
  /** File hash (hub-docs `hashing.md#file-hashes`), in the API string form (64 hex). */
  fileHash: string;
  size: number;
  /** Raw length of every chunk, in file order. */
  chunkLengths: number[];
  /** Every chunk hash (32 bytes each, concatenated): kept for dedupe and future shard answers. */
  chunkHashes: Uint8Array;
  xorbs: XorbSpan[];
}

/** A xorb made of the file's chunks `[start, end)`. */
export interface XorbSpan {
  hash: string;
  start: number;
  end: number;
}

export interface XorbLimits {
  /** Serialized bytes per xorb at most (the spec: 64 MiB). */
  maxBytes: number;
  /** Chunks per xorb at most (xet-core: 8192). */
  maxChunks: number;
}

export const SPEC_XORB_LIMITS: XorbLimits = { maxBytes: 64 * 1024 * 1024, maxChunks: 8192 };

/**
 * Feeds a file's bytes in order and produces its layout. Streaming so that a multi-GB blob is
 * chunked with bounded memory: only the per-chunk hashes (32 bytes per ~64 KiB) are kept.
 */
export class XetLayoutBuilder {
  private readonly chunker = new SpecChunker();
  private readonly chunks: Chunk[] = [];
  private size = 0;

  constructor(private readonly limits: XorbLimits = SPEC_XORB_LIMITS) {
    if (limits.maxBytes < serializedChunkSize(128 * 1024) || limits.maxChunks < 1) {
      throw new RangeError("a xorb must hold at least one maximal chunk");
    }
  }

  push(data: Uint8Array): void {
    this.size += data.byteLength;
    for (const c of this.chunker.push(data)) this.chunks.push(c);
  }

  finish(): XetLayout {
    const last = this.chunker.finish();
    if (last) this.chunks.push(last);
    return layoutOf(this.chunks, this.size, this.limits);
  }
}

/** Packs chunks in file order into xorbs no larger than the limits (one file per xorb). */
export function layoutOf(chunks: Chunk[], size: number, limits: XorbLimits = SPEC_XORB_LIMITS): XetLayout {
  const xorbs: XorbSpan[] = [];
  let start = 0;
  let bytes = 0;
  const close = (end: number) => {
    if (end > start) xorbs.push({ hash: hashToHex(xorbHash(chunks.slice(start, end))), start, end });
    start = end;
    bytes = 0;
  };
  chunks.forEach((c, i) => {
    const s = serializedChunkSize(c.length);
    if (i > start && (bytes + s > limits.maxBytes || i - start >= limits.maxChunks)) close(i);
    bytes += s;
  });
  close(chunks.length);
  const chunkHashes = new Uint8Array(chunks.length * 32);
  chunks.forEach((c, i) => {
    chunkHashes.set(c.hash, i * 32);
  });
  return {
    fileHash: hashToHex(fileHash(chunks)),
    size,
    chunkLengths: chunks.map((c) => c.length),
    chunkHashes,
    xorbs,
  };
}

/** Where each chunk of a xorb starts in the xorb's serialized bytes (plus the total at the end). */
export function xorbOffsets(layout: XetLayout, xorb: XorbSpan): number[] {
  const out = [0];
  for (let i = xorb.start; i < xorb.end; i++)
    out.push(out.at(-1)! + serializedChunkSize(layout.chunkLengths[i]!));
  return out;
}

/** Where each chunk starts in the file (plus the file size at the end). */
export function fileOffsets(layout: XetLayout): number[] {
  const out = [0];
  for (const len of layout.chunkLengths) out.push(out.at(-1)! + len);
  return out;
}
