import assert from "node:assert/strict";
import { test } from "node:test";
import { llama3RopeFactors } from "../../src/convert/arch/rope-freqs.js";
import { runPython } from "../helpers/python.js";

/**
 * Llama 3's rope_freqs bit for bit as convert_hf_to_gguf.py computes them with torch, over a grid
 * of bases, head sizes, original contexts, factors and frequency bands: the smoothing band is where
 * torch's way of dividing a number by a tensor shows (one unit in the last place otherwise).
 */
test("llama3 rope_freqs equal torch's over 216 configurations", async () => {
  const jobs: Array<Record<string, number>> = [];
  for (const base of [10000, 500000, 1e6])
    for (const dim of [32, 64, 128])
      for (const old of [128, 1024, 4096, 8192])
        for (const factor of [4, 8, 32])
          for (const [low, high] of [
            [1, 4],
            [2, 8],
          ] as const)
            jobs.push({ base, dim, old, factor, low, high });
  const { factors } = await runPython<{ factors: number[][] }>("convert", "rope_factors.py", jobs, {});
  const differing = jobs.filter((j, i) => {
    const ours = llama3RopeFactors(
      {
        rope_theta: j.base as number,
        factor: j.factor as number,
        low_freq_factor: j.low as number,
        high_freq_factor: j.high as number,
        original_max_position_embeddings: j.old as number,
      },
      j.dim as number,
    );
    return !Array.from(ours).every((v, k) => Object.is(v, Math.fround(factors[i]?.[k] as number)));
  });
  assert.equal(jobs.length, 216);
  assert.deepEqual(differing, []);
});
