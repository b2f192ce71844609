import { fileOffsets, type XetLayout, xorbOffsets } from "./xet-layout.js";

/**
 * The CAS reconstruction answers (hub-docs `download-protocol.md`, `api.md` §1 and §10) for one
 * file layout. Pure: the caller says how each xorb is reached (`urlFor`, a signed URL).
 */

/** A byte range of the file, end inclusive as in the `Range` header. */
export interface FileRange {
  start: number;
  end: number;
}

interface IndexRange {
  start: number;
  end: number;
}

export interface ReconstructionTerm {
  hash: string;
  unpacked_length: number;
  /** Chunk indices in the xorb, end exclusive. */
  range: IndexRange;
}

export interface ReconstructionV2 {
  offset_into_first_range: number;
  terms: ReconstructionTerm[];
  xorbs: Record<string, { url: string; ranges: { chunks: IndexRange; bytes: IndexRange }[] }[]>;
}

export interface ReconstructionV1 {
  offset_into_first_range: number;
  terms: ReconstructionTerm[];
  fetch_info: Record<string, { range: IndexRange; url: string; url_range: IndexRange }[]>;
}

/** What the range covers: `null` when it starts at or past the end (the API's 416). */
interface Plan {
  offset: number;
  terms: ReconstructionTerm[];
  /** Per xorb hash: the xorb index to fetch from and the chunk ranges needed, coalesced. */
  fetch: Map<string, { xorb: number; chunks: IndexRange[] }>;
}

function plan(layout: XetLayout, range: FileRange | undefined): Plan | null {
  const offsets = fileOffsets(layout);
  const n = layout.chunkLengths.length;
  if (n === 0) return range ? null : { offset: 0, terms: [], fetch: new Map() };
  const from = range?.start ?? 0;
  const to = Math.min(range?.end ?? layout.size - 1, layout.size - 1);
  if (from >= layout.size || to < from) return null;
  // First chunk holding `from`, last chunk holding `to` (chunks are never empty).
  const first = upperBound(offsets, from) - 1;
  const last = upperBound(offsets, to) - 1;
  const terms: ReconstructionTerm[] = [];
  const fetch = new Map<string, { xorb: number; chunks: IndexRange[] }>();
  layout.xorbs.forEach((x, xi) => {
    const s = Math.max(first, x.start);
    const e = Math.min(last + 1, x.end);
    if (s >= e) return;
    const chunks = { start: s - x.start, end: e - x.start };
    terms.push({ hash: x.hash, unpacked_length: offsets[e]! - offsets[s]!, range: chunks });
    // Two xorbs of a file may have the same hash (repeated content): same bytes, one fetch list.
    const entry = fetch.get(x.hash) ?? { xorb: xi, chunks: [] };
    entry.chunks.push(chunks);
    fetch.set(x.hash, entry);
  });
  for (const entry of fetch.values()) entry.chunks = coalesce(entry.chunks);
  return { offset: from - offsets[first]!, terms, fetch };
}

/** The index of the first element greater than `v` in an ascending array. */
function upperBound(sorted: number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One span covering every range needed from a xorb: the xorb route then always answers a single
 * byte range (no multipart/byteranges), at the cost of a few extra chunks in the rare case of
 * disjoint ranges of one xorb (a file repeating a whole xorb's content, read by range).
 */
function coalesce(ranges: IndexRange[]): IndexRange[] {
  return [{ start: Math.min(...ranges.map((r) => r.start)), end: Math.max(...ranges.map((r) => r.end)) }];
}

/** Byte range (end inclusive) of chunks `[start, end)` in the serialized xorb. */
function byteRange(layout: XetLayout, xorb: number, chunks: IndexRange): IndexRange {
  const offsets = xorbOffsets(layout, layout.xorbs[xorb]!);
  return { start: offsets[chunks.start]!, end: offsets[chunks.end]! - 1 };
}

export function reconstructionV2(
  layout: XetLayout,
  range: FileRange | undefined,
  urlFor: (xorb: number) => string,
): ReconstructionV2 | null {
  const p = plan(layout, range);
  if (!p) return null;
  const xorbs: ReconstructionV2["xorbs"] = {};
  for (const [hash, { xorb, chunks }] of p.fetch) {
    xorbs[hash] = [
      { url: urlFor(xorb), ranges: chunks.map((c) => ({ chunks: c, bytes: byteRange(layout, xorb, c) })) },
    ];
  }
  return { offset_into_first_range: p.offset, terms: p.terms, xorbs };
}

export function reconstructionV1(
  layout: XetLayout,
  range: FileRange | undefined,
  urlFor: (xorb: number) => string,
): ReconstructionV1 | null {
  const p = plan(layout, range);
  if (!p) return null;
  const fetch_info: ReconstructionV1["fetch_info"] = {};
  for (const [hash, { xorb, chunks }] of p.fetch) {
    fetch_info[hash] = chunks.map((c) => ({
      range: c,
      url: urlFor(xorb),
      url_range: byteRange(layout, xorb, c),
    }));
  }
  return { offset_into_first_range: p.offset, terms: p.terms, fetch_info };
}
