import type { JsonObject } from "./hparams.js";

/**
 * Llama 3's rope scaling is not a key but a tensor, `rope_freqs`: one factor per rotary frequency,
 * computed as upstream does, in torch's float32 arithmetic on 0-dim tensors. Torch divides a
 * Python number by a tensor as the tensor's reciprocal times the number (`__rtruediv__`), and casts
 * Python numbers to float32 in arithmetic and comparisons; both matter to the last bit (bench:logits
 * found the plain quotient one unit off for some contexts). Math.pow is rounded to float32 once,
 * which can differ from a platform powf by one unit in the last place in rare cases.
 */
export function llama3RopeFactors(rope: JsonObject, headDim: number): Float32Array {
  const fr = Math.fround;
  const base = Number(rope.rope_theta ?? 10000);
  const factor = fr(Number(rope.factor ?? 8));
  const low = fr(Number(rope.low_freq_factor ?? 1));
  const high = Number(rope.high_freq_factor ?? 4);
  const oldContext = Number(rope.original_max_position_embeddings ?? 8192);
  const lowWavelen = fr(oldContext / Number(rope.low_freq_factor ?? 1));
  const highWavelen = fr(oldContext / high);
  const spread = fr(high - Number(rope.low_freq_factor ?? 1));
  /** `number / tensor` as torch computes it: the reciprocal, times the number cast to float32. */
  const over = (n: number, t: number) => fr(fr(1 / t) * fr(n));
  const out = new Float32Array(headDim / 2);
  for (let k = 0; k < headDim / 2; k++) {
    const freq = over(1, fr(base ** fr((2 * k) / headDim)));
    const wavelen = over(2 * Math.PI, freq);
    if (wavelen < highWavelen) out[k] = 1;
    else if (wavelen > lowWavelen) out[k] = factor;
    else {
      const smooth = fr(fr(over(oldContext, wavelen) - low) / spread);
      out[k] = over(1, fr(fr(fr(1 - smooth) / factor) + smooth));
    }
  }
  return out;
}
