import type { JsonObject } from "./hparams.js";

/**
 * Llama 3's rope scaling is not a key but a tensor, `rope_freqs`: one factor per rotary frequency,
 * computed as upstream does in float32 (torch) arithmetic. Math.pow is rounded to float32 once,
 * which can differ from a platform powf by one unit in the last place in rare cases.
 */
export function llama3RopeFactors(rope: JsonObject, headDim: number): Float32Array {
  const fr = Math.fround;
  const base = Number(rope.rope_theta ?? 10000);
  const factor = Number(rope.factor ?? 8);
  const low = Number(rope.low_freq_factor ?? 1);
  const high = Number(rope.high_freq_factor ?? 4);
  const oldContext = Number(rope.original_max_position_embeddings ?? 8192);
  const lowWavelen = oldContext / low;
  const highWavelen = oldContext / high;
  const out = new Float32Array(headDim / 2);
  for (let k = 0; k < headDim / 2; k++) {
    const freq = fr(1 / fr(base ** fr((2 * k) / headDim)));
    // torch casts the Python scalar 2π to float32 before it divides.
    const wavelen = fr(fr(2 * Math.PI) / freq);
    if (wavelen < highWavelen) out[k] = 1;
    else if (wavelen > lowWavelen) out[k] = factor;
    else {
      const smooth = fr(fr(fr(oldContext / wavelen) - low) / (high - low));
      out[k] = fr(1 / fr(fr(fr(1 - smooth) / factor) + smooth));
    }
  }
  return out;
}
