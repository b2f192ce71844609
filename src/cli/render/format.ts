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

/** Commit ids in human output: always this many characters (JSON keeps the full id). */
export const SHORT_ID_LENGTH = 12;

export function shortId(id: string): string {
  return id.slice(0, SHORT_ID_LENGTH);
}

/** `hf:org/name@0123abcd` → `hf:org/name`: the revision is said apart, once, at one length. */
export function withoutRevision(label: string): string {
  const at = label.lastIndexOf("@");
  return at > 0 ? label.slice(0, at) : label;
}

/** Files the destination keeps that the source lacks: how many, and how to remove them. */
export function extraText(extra: { count: number; hint: string }): string {
  return `${extra.count} file(s) in the destination are not in the source (${extra.hint})`;
}
