// Units for the benchmark's flags and tables: rates ("195MB/s"), durations ("20ms"), sizes.

const RATE_UNITS = {
  "b/s": 1,
  "kb/s": 1e3,
  "mb/s": 1e6,
  "gb/s": 1e9,
  "kib/s": 1024,
  "mib/s": 1024 ** 2,
  "gib/s": 1024 ** 3,
  "kbit/s": 1e3 / 8,
  "mbit/s": 1e6 / 8,
  "gbit/s": 1e9 / 8,
};

/** "195MB/s" -> 195e6 bytes per second (MB = 10^6, MiB = 2^20, Mbit = 10^6 bits). */
export function parseRate(text) {
  const m = /^\s*([\d.]+)\s*([kmg]?i?b(?:it)?\/s)\s*$/i.exec(String(text));
  const unit = m ? RATE_UNITS[m[2].toLowerCase()] : undefined;
  const n = m ? Number(m[1]) : NaN;
  if (!unit || !(n > 0)) throw new Error(`not a rate: "${text}" (e.g. 195MB/s, 42MiB/s, 300Mbit/s)`);
  return n * unit;
}

/** "20ms" / "0.5s" / "20" (ms) -> milliseconds. */
export function parseDuration(text) {
  const m = /^\s*([\d.]+)\s*(ms|s)?\s*$/i.exec(String(text));
  if (!m) throw new Error(`not a duration: "${text}" (e.g. 20ms, 0.1s)`);
  return Number(m[1]) * (m[2]?.toLowerCase() === "s" ? 1000 : 1);
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export function formatBytes(n) {
  if (!Number.isFinite(n)) return "-";
  if (n >= GiB) return `${(n / GiB).toFixed(2)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(0)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${n} B`;
}

export const formatRate = (bytesPerSecond) => `${(bytesPerSecond / 1e6).toFixed(0)} MB/s`;

const SIZE_UNITS = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** "1GiB" / "64MiB" / "500MB" / "1048576" -> bytes (a whole number). */
export function parseSize(text) {
  const m = /^\s*([\d.]+)\s*([kmg]?i?b)?\s*$/i.exec(String(text));
  const n = m ? Number(m[1]) * SIZE_UNITS[(m[2] ?? "b").toLowerCase()] : NaN;
  if (!(n >= 1) || !Number.isFinite(n)) throw new Error(`not a size: "${text}" (e.g. 1GiB, 64MiB, 500MB)`);
  return Math.round(n);
}
