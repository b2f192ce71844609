import { HubferryError } from "../core/errors.js";
import { emptySelectionError, pathSelector } from "../core/path-filter.js";
import type { RepoType } from "../core/repo-type.js";
import { classifyFileSafety, isWeightFile } from "../formats/file-safety.js";
import { matchesQuantization, quantizationOf } from "../formats/quantization.js";
import { fileFolderClashes, unsafePathReason } from "../transfer/plan.js";
import type { SourceFile } from "../transfer/types.js";

export interface SelectOptions {
  type: RepoType;
  /** `pull files ID PATH...`: exactly these paths. */
  files?: string[];
  include?: string[];
  exclude?: string[];
  allowUnsafe: boolean;
  quantization?: string;
  split?: string;
}

export interface Selection {
  fetch: SourceFile[];
  /** Left out by policy, with the reason (shown as notes). */
  skipped: { path: string; reason: string }[];
  /** Files that cannot be written anywhere safely (malicious listings). */
  refused: { path: string; reason: string }[];
  notes: string[];
}

/** The quantisation picked when a GGUF repo offers several and none was asked for. */
export const DEFAULT_QUANTIZATION = "Q4_K_M";

const SPLIT_RE = /(?:^|[/_.-])(train|test|validation|valid|dev|eval)(?=[/_.-]|$)/i;

/** The split a dataset file belongs to by its path (`data/train-00000-of-00001.parquet`, `test/x.csv`). */
export function splitOf(path: string): string | undefined {
  return SPLIT_RE.exec(path)?.[1]?.toLowerCase();
}

const list = (paths: string[], n = 5) =>
  `${paths.slice(0, n).join(", ")}${paths.length > n ? ` and ${paths.length - n} more` : ""}`;

/**
 * Which files a pull fetches. Safe formats by default; pickle-based files are refused unless the
 * user consents, and skipped in favour of the safe format when the repo has both; other formats
 * are fetched only when named (`--include`, `pull files`); one GGUF quantisation; one split.
 */
export function selectFiles(all: SourceFile[], opts: SelectOptions): Selection {
  const sel: Selection = { fetch: [], skipped: [], refused: [], notes: [] };
  const clashes = fileFolderClashes(all.map((f) => f.path));
  let files = all.filter((f) => {
    const reason = unsafePathReason(f.path) ?? clashes.get(f.path);
    if (reason) sel.refused.push({ path: f.path, reason });
    return !reason;
  });

  const named = new Set(opts.files ?? []);
  if (opts.files?.length) {
    const byPath = new Set(files.map((f) => f.path));
    const missing = opts.files.filter((p) => !byPath.has(p));
    if (missing.length)
      throw new HubferryError(
        "FILE_NOT_FOUND",
        `not in the repo: ${list(missing)}`,
        "check the paths with `hubferry tree ID` (they are case-sensitive)",
      );
    files = files.filter((f) => named.has(f.path));
  }
  const selected = pathSelector(opts);
  const listed = files.length;
  files = files.filter((f) => selected(f.path));
  if (listed > 0 && files.length === 0 && (opts.include?.length || opts.exclude?.length))
    throw emptySelectionError(opts, listed, "the repo");
  const include = opts.include?.length ? pathSelector({ include: opts.include }) : undefined;
  const explicitlyNamed = (p: string) => named.has(p) || !!include?.(p);

  // GGUF: one quantisation, the asked one or the usual default.
  const gguf = files.filter((f) => f.path.toLowerCase().endsWith(".gguf"));
  const quants = [...new Set(gguf.map((f) => quantizationOf(f.path)).filter((q): q is string => !!q))].sort();
  let wanted = opts.quantization?.toUpperCase();
  if (!wanted && quants.length > 1 && !opts.files?.length && !include) {
    if (!quants.includes(DEFAULT_QUANTIZATION))
      throw new HubferryError(
        "BAD_INPUT",
        `this repo has ${quants.length} GGUF quantisations (${quants.join(", ")}) and none was chosen`,
        "pick one with --quantization, e.g. --quantization " + quants[0],
      );
    wanted = DEFAULT_QUANTIZATION;
    sel.notes.push(`picked GGUF ${wanted} of ${quants.join(", ")}; choose another with --quantization`);
  }
  if (wanted) {
    if (gguf.length && !gguf.some((f) => matchesQuantization(f.path, wanted!)))
      throw new HubferryError(
        "FILE_NOT_FOUND",
        `no GGUF file is quantised ${wanted}`,
        `available: ${quants.join(", ") || "none recognised by name"}`,
      );
    if (!gguf.length)
      throw new HubferryError("FILE_NOT_FOUND", `--quantization ${wanted}: this repo has no GGUF files`);
    files = files.filter((f) => {
      if (!f.path.toLowerCase().endsWith(".gguf") || matchesQuantization(f.path, wanted!)) return true;
      sel.skipped.push({ path: f.path, reason: `GGUF ${quantizationOf(f.path) ?? "other"}, not ${wanted}` });
      return false;
    });
  }

  // Datasets: one split; files that belong to no split (cards, metadata) come along.
  if (opts.split) {
    const split = opts.split.toLowerCase();
    if (!files.some((f) => splitOf(f.path) === split))
      throw new HubferryError(
        "FILE_NOT_FOUND",
        `no file of split "${opts.split}"`,
        `splits seen: ${[...new Set(files.map((f) => splitOf(f.path)).filter(Boolean))].join(", ") || "none"}`,
      );
    files = files.filter((f) => {
      const s = splitOf(f.path);
      if (!s || s === split) return true;
      sel.skipped.push({ path: f.path, reason: `split ${s}` });
      return false;
    });
  }

  // Safety.
  const safeWeights = files.filter((f) => isWeightFile(f.path) && classifyFileSafety(f.path) === "safe");
  const pickles = files.filter((f) => classifyFileSafety(f.path) === "pickle");
  const pickleWeights = pickles.filter((f) => isWeightFile(f.path));
  if (pickles.length && !opts.allowUnsafe) {
    if ((pickleWeights.length && !safeWeights.length) || opts.files?.length)
      throw new HubferryError(
        "UNSAFE",
        `refused: ${list((pickleWeights.length ? pickleWeights : pickles).map((f) => f.path))} ${pickleWeights.length ? "are pickle-based weights" : "are pickles"}; loading a pickle can run any code its author put in it`,
        "pull a safetensors or GGUF version of this model, or pass --allow-unsafe only if you trust the publisher",
      );
    for (const f of pickles)
      sel.skipped.push({
        path: f.path,
        reason: isWeightFile(f.path)
          ? "pickle weights; the safetensors/GGUF copy is fetched instead"
          : "pickle",
      });
    sel.notes.push(
      `skipped ${pickles.length} pickle file(s) (${list(
        pickles.map((f) => f.path),
        3,
      )}); --allow-unsafe fetches them`,
    );
  }
  const others = files.filter((f) => classifyFileSafety(f.path) === "other" && !explicitlyNamed(f.path));
  if (others.length) {
    for (const f of others) sel.skipped.push({ path: f.path, reason: "not a known safe format" });
    sel.notes.push(
      `skipped ${others.length} file(s) of other formats (${list(
        others.map((f) => f.path),
        3,
      )}); name them with --include to fetch them`,
    );
  }
  const skipped = new Set(sel.skipped.map((s) => s.path));
  sel.fetch = files.filter((f) => !skipped.has(f.path));
  if (sel.refused.length)
    sel.notes.push(
      `refused ${sel.refused.length} path(s) that cannot be written safely: ${list(
        sel.refused.map((r) => r.path),
        3,
      )}`,
    );
  return sel;
}
