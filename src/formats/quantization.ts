/** Quantisation names as GGUF files are usually named (`model.Q4_K_M.gguf`, `model-q8_0.gguf`). */
const QUANT_RE =
  /(?:^|[._\-/])((?:I?Q[1-8](?:_[0-9A-Z]+)*(?:_[SMLX]+)?)|BF16|F16|F32|FP16|FP32)(?=[._\-/]|$)/i;

/** The quantisation a file name announces, upper-cased (`Q4_K_M`), if any. */
export function quantizationOf(path: string): string | undefined {
  const name = path.split("/").pop() ?? path;
  const m = QUANT_RE.exec(name.replace(/\.gguf$/i, ".gguf"));
  return m?.[1]?.toUpperCase().replace(/^FP/, "F");
}

/** Whether a file (or its folder, for split GGUFs kept in a folder) carries the wanted quantisation. */
export function matchesQuantization(path: string, wanted: string): boolean {
  const w = wanted.toUpperCase();
  const segs = path.split("/");
  return segs.some((s) => quantizationOf(s) === w);
}
