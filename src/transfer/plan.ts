import pLimit from "p-limit";
import { pathSelector } from "../core/path-filter.js";
import type { DestFile, SourceFile, TransferDestination, TransferSource } from "./types.js";

export interface Plan {
  source: string;
  destination: string;
  destinationUrl: string;
  revision: string;
  /** Files to copy, in path order. */
  copy: SourceFile[];
  /** Files already on the destination with the same size and hash. */
  present: SourceFile[];
  refused: { path: string; reason: string }[];
  /** Destination files the source does not have (deleted only when asked, by sync). */
  delete: string[];
  /** Destination files the hub itself added (never deleted, not extra), with why. */
  kept?: { path: string; reason: string }[];
  /** Files whose equality could only be told from their bytes (read and hashed while planning). */
  inspected: string[];
  /** Source files the destination keeps its own version of, differing (`destinationOwns`). */
  keptOwn: string[];
  /** The paths the destination owns once written (`destinationOwns`): verified by presence only. */
  owned: string[];
  bytes: number;
}

export interface PlanOptions {
  include?: string[];
  exclude?: string[];
  /** Small files whose hashes the two sides publish differently are read to compare; this is the cap. */
  inspectMaxBytes?: number;
  /** Hashes a small source file (content sha256 and git blob id) when the listings cannot be compared. */
  inspect?: (file: SourceFile) => Promise<{ sha256: string; gitOid: string }>;
  /** Files read for inspection at the same time (default 8). */
  inspectConcurrency?: number;
  /**
   * Paths whose destination version is the destination's own once it has one (a hub's
   * `.gitattributes`: the hub decides what is LFS and rewrites it). Copied only where missing, so
   * a sync never fights the destination over them; a differing one is listed in `keptOwn`.
   */
  destinationOwns?: string[];
}

/** Why a path must not be copied anywhere: it would escape the repo or is not a plain relative path. */
export function unsafePathReason(path: string): string | undefined {
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "absolute path";
  if (path.includes("\\")) return "backslash in path";
  const segs = path.split("/");
  if (segs.some((s) => s === ".." || s === "." || s === "")) return "path traversal or empty segment";
  if ([...path].some((c) => c.charCodeAt(0) < 0x20)) return "control character in path";
  return undefined;
}

/**
 * Paths that are both a file and a folder in one listing (`dir` and `dir/x.txt`): no checkout,
 * cache or file system can hold both. Each clashing path maps to a reason naming the other one.
 */
export function fileFolderClashes(paths: string[]): Map<string, string> {
  const files = new Set(paths);
  const clashes = new Map<string, string>();
  for (const p of paths) {
    for (let i = p.indexOf("/"); i > 0; i = p.indexOf("/", i + 1)) {
      const prefix = p.slice(0, i);
      if (!files.has(prefix)) continue;
      const why = `"${prefix}" is both a file and a folder (it holds "${p}")`;
      if (!clashes.has(prefix)) clashes.set(prefix, why);
      clashes.set(p, why);
    }
  }
  return clashes;
}

function sameContent(a: SourceFile, b: DestFile): boolean | undefined {
  if (a.size !== b.size) return false;
  if (a.sha256 && b.sha256) return a.sha256 === b.sha256;
  if (a.gitOid && b.gitOid) return a.gitOid === b.gitOid;
  return undefined;
}

/**
 * Source listing vs destination listing → copy / already there / refused / to delete. The
 * destination listing is the only state: a re-run after a crash plans just what is missing.
 */
export async function planTransfer(
  source: TransferSource,
  dest: TransferDestination,
  opts: PlanOptions = {},
): Promise<Plan> {
  const [srcFiles, destFiles, platform] = await Promise.all([
    source.list(),
    dest.list(),
    dest.platformFiles?.() ?? [],
  ]);
  const selected = pathSelector(opts);
  const destByPath = new Map(destFiles.map((f) => [f.path, f]));
  const plan: Plan = {
    source: source.label,
    destination: dest.label,
    destinationUrl: dest.url,
    revision: source.revision,
    copy: [],
    present: [],
    refused: [],
    delete: [],
    inspected: [],
    keptOwn: [],
    owned: opts.destinationOwns ?? [],
    bytes: 0,
  };
  const owned = new Set(plan.owned);
  const sorted = [...srcFiles].sort((a, b) => a.path.localeCompare(b.path));
  const clashes = fileFolderClashes(srcFiles.map((f) => f.path));
  const verdicts = new Map<SourceFile, boolean>();
  const toInspect: SourceFile[] = [];
  for (const file of sorted) {
    if (!selected(file.path)) continue;
    const reason = unsafePathReason(file.path) ?? clashes.get(file.path) ?? dest.refuses?.(file.path);
    if (reason) {
      plan.refused.push({ path: file.path, reason });
      continue;
    }
    const there = destByPath.get(file.path);
    if (there && owned.has(file.path)) {
      if (sameContent(file, there) !== true) plan.keptOwn.push(file.path);
      else plan.present.push(file);
      continue;
    }
    const same = there ? sameContent(file, there) : false;
    if (same === undefined && opts.inspect && file.size <= (opts.inspectMaxBytes ?? 16 * 1024 * 1024))
      toInspect.push(file);
    else verdicts.set(file, same === true);
  }
  // Files whose hashes the two sides publish differently are read and hashed, several at a time:
  // on a repo of many small files this is what a no-op re-run costs.
  const inspected = new Set(toInspect);
  const limit = pLimit(opts.inspectConcurrency ?? 8);
  await Promise.all(
    toInspect.map((file) =>
      limit(async () => {
        const hashes = await opts.inspect!(file);
        file.sha256 ??= hashes.sha256;
        file.gitOid ??= hashes.gitOid;
        verdicts.set(file, sameContent(file, destByPath.get(file.path)!) === true);
      }),
    ),
  );
  for (const file of sorted) {
    if (!verdicts.has(file)) continue;
    if (inspected.has(file)) plan.inspected.push(file.path);
    if (verdicts.get(file)) plan.present.push(file);
    else {
      plan.copy.push(file);
      plan.bytes += file.size;
    }
  }
  const srcPaths = new Set(srcFiles.map((f) => f.path));
  const kept = platform.filter((k) => !srcPaths.has(k.path) && selected(k.path));
  const keptPaths = new Set(kept.map((k) => k.path));
  if (kept.length) plan.kept = kept.sort((a, b) => a.path.localeCompare(b.path));
  plan.delete = destFiles
    .map((f) => f.path)
    .filter((p) => !srcPaths.has(p) && selected(p) && p !== ".gitattributes" && !keptPaths.has(p))
    .sort();
  return plan;
}
