import { z } from "zod";
import type { XetLayout } from "./xet-layout.js";

/**
 * The stored form of a layout (JSON, one file per blob). Chunk hashes travel as base64: 44 bytes
 * per ~64 KiB chunk keeps the record near 1 MB per GB of file, read only when a file is fetched.
 */
const HEX64 = /^[0-9a-f]{64}$/;

const StoredLayoutSchema = z.object({
  v: z.literal(1),
  fileHash: z.string().regex(HEX64),
  size: z.number().int().min(0),
  chunkLengths: z.array(z.number().int().min(1).max(0xffffff)),
  chunkHashes: z.string(),
  xorbs: z.array(
    z.object({ hash: z.string().regex(HEX64), start: z.number().int().min(0), end: z.number().int() }),
  ),
});

export function encodeLayout(layout: XetLayout): string {
  return JSON.stringify({
    v: 1,
    fileHash: layout.fileHash,
    size: layout.size,
    chunkLengths: layout.chunkLengths,
    chunkHashes: Buffer.from(layout.chunkHashes).toString("base64"),
    xorbs: layout.xorbs,
  });
}

/** Parses and checks a stored layout; throws on anything inconsistent (then it is recomputed). */
export function decodeLayout(text: string): XetLayout {
  const s = StoredLayoutSchema.parse(JSON.parse(text));
  const chunkHashes = new Uint8Array(Buffer.from(s.chunkHashes, "base64"));
  const n = s.chunkLengths.length;
  if (chunkHashes.byteLength !== n * 32) throw new Error("chunk hashes do not match the chunk count");
  if (s.chunkLengths.reduce((a, b) => a + b, 0) !== s.size) throw new Error("chunk lengths do not add up");
  let next = 0;
  for (const x of s.xorbs) {
    if (x.start !== next || x.end <= x.start) throw new Error("xorbs do not tile the chunks");
    next = x.end;
  }
  if (next !== n) throw new Error("xorbs do not cover every chunk");
  return { fileHash: s.fileHash, size: s.size, chunkLengths: s.chunkLengths, chunkHashes, xorbs: s.xorbs };
}
