import pLimit from "p-limit";
import type { FileSafety } from "../formats/file-safety.js";
import { SNIFF_BYTES, sniffFormat } from "../formats/sniff.js";
import type { TransferSource } from "../transfer/types.js";
import { rangeReaderFor } from "./read-head.js";

/** Files whose first bytes are read: a name alone can pass a pickle off as safe. */
const MAX_SNIFFED = 512;

export interface VerdictFile {
  path: string;
  size: number;
  lfs?: boolean;
  safety: FileSafety;
}

/**
 * Corrects name-based verdicts from the bytes, in place: a file labelled safe whose first bytes are
 * a pickle (or a PyTorch zip) is a pickle, in `info`, `tree` and `pull` alike. Weight names and
 * LFS-stored files are read (small text files in git are not where pickles hide); at most
 * MAX_SNIFFED of them, 512 bytes each. Returns how many labelled safe were left unread.
 */
export async function applyContentVerdicts(
  source: TransferSource,
  files: VerdictFile[],
  opts: { skip?: Set<string>; signal?: AbortSignal } = {},
): Promise<{ unread: number }> {
  const candidates = files.filter(
    (f) => f.safety === "safe" && f.size > 0 && !opts.skip?.has(f.path) && (f.lfs || isWeightName(f.path)),
  );
  const read = candidates.slice(0, MAX_SNIFFED);
  const limit = pLimit(8);
  await Promise.all(
    read.map((f) =>
      limit(async () => {
        const head = await rangeReaderFor(source, f.path, opts.signal)(0, Math.min(f.size, SNIFF_BYTES) - 1);
        const kind = sniffFormat(head);
        if (kind === "pickle" || kind === "torch-zip") f.safety = "pickle";
      }),
    ),
  );
  return { unread: candidates.length - read.length };
}

function isWeightName(path: string): boolean {
  return /\.(safetensors|gguf)$/i.test(path);
}
