import pLimit from "p-limit";
import { classifyFileSafety, type FileSafety } from "../formats/file-safety.js";
import { parseGgufHeader } from "../formats/gguf-header.js";
import { quantizationOf } from "../formats/quantization.js";
import { parsePrefix } from "../formats/range-reader.js";
import { parseSafetensorsHeader, type TensorFileFacts } from "../formats/safetensors-header.js";
import { contentRefusal, SNIFF_BYTES } from "../formats/sniff.js";
import type { RepoDetails } from "../hubs/hub.js";
import type { TransferSource } from "../transfer/types.js";
import { applyContentVerdicts } from "./content-verdict.js";
import { rangeReaderFor } from "./read-head.js";

export interface ReportFile {
  path: string;
  size: number;
  lfs: boolean;
  safety: FileSafety;
  quantization?: string;
}

export interface WeightFacts {
  path: string;
  facts?: TensorFileFacts & { quantization?: string; architecture?: string };
  /** Why the header could not be read (for example: a pickle under a safetensors name). */
  error?: string;
}

export interface RepoReport {
  details: RepoDetails;
  files: ReportFile[];
  totalBytes: number;
  formats: { safetensors: number; gguf: string[]; pickle: number; other: number };
  /** Header facts of the weight files, read with ranged requests (nothing is downloaded). */
  weights: WeightFacts[];
  /** Sum over the safetensors files (all shards of one checkpoint). */
  safetensors?: { tensors: number; parameters: number; dtypes: Record<string, number> };
}

export interface ReportOptions {
  /** GGUF headers read at most (one file per quantisation; tensor counts repeat across them). */
  maxGguf?: number;
  signal?: AbortSignal;
}

/** The facts `info` shows: files, formats, and the tensor headers read by range. */
export async function buildRepoReport(
  details: RepoDetails,
  source: TransferSource,
  opts: ReportOptions = {},
): Promise<RepoReport> {
  const listed = (await source.list()).sort((a, b) => a.path.localeCompare(b.path));
  const files: ReportFile[] = listed.map((f) => {
    const safety = classifyFileSafety(f.path);
    const q = f.path.toLowerCase().endsWith(".gguf") ? quantizationOf(f.path) : undefined;
    return { path: f.path, size: f.size, lfs: f.lfs ?? false, safety, ...(q ? { quantization: q } : {}) };
  });
  const st = files.filter((f) => f.path.toLowerCase().endsWith(".safetensors"));
  const gguf = files.filter((f) => f.path.toLowerCase().endsWith(".gguf"));
  const seenQuant = new Set<string>();
  const ggufToRead = gguf.filter((f) => {
    const q = f.quantization ?? f.path;
    if (seenQuant.has(q) || seenQuant.size >= (opts.maxGguf ?? 4)) return false;
    seenQuant.add(q);
    return true;
  });
  const limit = pLimit(4);
  const weights = await Promise.all(
    [...st, ...ggufToRead].map((f) =>
      limit(async (): Promise<WeightFacts> => {
        const read = rangeReaderFor(source, f.path, opts.signal);
        try {
          const facts = f.path.toLowerCase().endsWith(".gguf")
            ? await parsePrefix(read, f.size, parseGgufHeader)
            : await parsePrefix(read, f.size, (h) => parseSafetensorsHeader(h, f.size), { first: 64 * 1024 });
          return { path: f.path, facts };
        } catch (err) {
          const head = await read(0, Math.min(f.size, SNIFF_BYTES) - 1).catch(() => Buffer.alloc(0));
          return { path: f.path, error: contentRefusal(f.path, head) ?? (err as Error).message };
        }
      }),
    ),
  );
  // One verdict, from the bytes: a weight whose first bytes are a pickle is a pickle in the table too.
  for (const w of weights) {
    const f = files.find((x) => x.path === w.path);
    if (f && w.error && / is a pickle /.test(w.error)) f.safety = "pickle";
  }
  await applyContentVerdicts(source, files, {
    skip: new Set(weights.map((w) => w.path)),
    signal: opts.signal,
  });
  const formats = {
    safetensors: st.filter((f) => f.safety !== "pickle").length,
    gguf: [
      ...new Set(gguf.filter((f) => f.safety !== "pickle").map((f) => f.quantization ?? "unknown")),
    ].sort(),
    pickle: files.filter((f) => f.safety === "pickle").length,
    other: files.filter((f) => f.safety === "other").length,
  };
  let safetensors: RepoReport["safetensors"];
  for (const w of weights) {
    if (w.facts?.format !== "safetensors") continue;
    safetensors ??= { tensors: 0, parameters: 0, dtypes: {} };
    safetensors.tensors += w.facts.tensors;
    safetensors.parameters += w.facts.parameters;
    for (const [k, v] of Object.entries(w.facts.dtypes))
      safetensors.dtypes[k] = (safetensors.dtypes[k] ?? 0) + v;
  }
  return {
    details,
    files,
    totalBytes: files.reduce((n, f) => n + f.size, 0),
    formats,
    weights,
    ...(safetensors ? { safetensors } : {}),
  };
}
