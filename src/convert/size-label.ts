/**
 * `general.size_label` as gguf-py writes it: the parameter count with a K/M/B/T suffix and at
 * least two significant digits ("34M", "1.2B", "7.6B"). Python rounds halves to even in both
 * steps (`round()` and the `.{n}f` format on the exact binary value); so does this.
 */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export function sizeLabel(params: number): string {
  const [scale, suffix] =
    params > 1e12 ? [1e-12, "T"] : params > 1e9 ? [1e-9, "B"] : params > 1e6 ? [1e-6, "M"] : [1e-3, "K"];
  const scaled = params * scale;
  const digits = String(roundHalfEven(scaled)).replace(/^0+/, "").length;
  const fix = Math.max(2 - digits, 0);
  return `${scaled.toFixed(fix)}${suffix}`;
}
