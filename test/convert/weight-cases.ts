import { mulberry32 } from "../helpers/prng.js";

/**
 * Deterministic inputs for the codec tests: the shapes real weights have, and the corners where a
 * quantizer's arithmetic shows (zero and constant blocks, one outlier, subnormals, overflow, ties).
 * Each case is a few rows of `row` float32 values.
 */
function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function filled(rows: number, row: number, value: (i: number) => number): Float32Array {
  const out = new Float32Array(rows * row);
  for (let i = 0; i < out.length; i++) out[i] = value(i);
  return out;
}

export function weightCases(row: number): Record<string, Float32Array> {
  const random = mulberry32(20261203);
  const f16Ties = [
    1 + 2 ** -11,
    1 + 3 * 2 ** -11,
    -(2 + 2 ** -10),
    2 ** -15 + 2 ** -25,
    3 * 2 ** -25,
    65519,
    65520,
  ];
  return {
    weights: filled(16, row, () => 0.02 * normal(random)),
    uniform: filled(8, row, () => random() * 2 - 1),
    outliers: filled(8, row, (i) => (i % 97 === 0 ? 8 * (random() < 0.5 ? -1 : 1) : 0.05 * normal(random))),
    zeros: filled(2, row, () => 0),
    constant: filled(2, row, () => 0.5),
    oneNonzero: filled(2, row, (i) => (i % 64 === 5 ? -0.75 : 0)),
    negativeOnly: filled(4, row, () => -Math.abs(normal(random)) - 0.01),
    subnormal: filled(4, row, (i) => (i % 2 ? 1e-6 : 3e-41) * normal(random)),
    large: filled(4, row, (i) => (i % 31 === 0 ? 1e5 : 1e4) * normal(random)),
    // With 127 at the head of each block, Q8_0's scale is 1 and every other value is a tie to round.
    halves: filled(1, row, (i) => (i % 32 === 0 ? 127 : (i % 20) - 10 + 0.5)),
    ties: filled(1, row, (i) => (f16Ties[i % f16Ties.length] as number) * (i % 14 < 7 ? 1 : -1)),
  };
}
