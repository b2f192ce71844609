import bytes from "bytes";

export function formatBytes(n: number): string {
  return bytes.format(n, { unitSeparator: " ", decimalPlaces: 1 }) ?? `${n} B`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m < 60 ? `${m} min ${s} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
