/**
 * The 12-byte packing of eight 6-bit (scale, min) pairs that Q4_K and Q5_K share (ggml's
 * get_scale_min_k4): pairs 0-3 sit in the low 6 bits of bytes 0-3 (scales) and 4-7 (mins); pairs
 * 4-7 keep their low nibbles in bytes 8-11 and their top 2 bits in the spare bits 6-7 of bytes 0-7.
 */

/** Packs pair j (ls, lm both 0..63) into the 12 bytes at `o`, as quantize_row_q4_K_ref does. */
export function packScaleMinK4(bytes: Uint8Array, o: number, j: number, ls: number, lm: number): void {
  if (j < 4) {
    bytes[o + j] = ls;
    bytes[o + j + 4] = lm;
  } else {
    bytes[o + j + 4] = (ls & 0xf) | ((lm & 0xf) << 4);
    bytes[o + j - 4]! |= (ls >> 4) << 6;
    bytes[o + j]! |= (lm >> 4) << 6;
  }
}

/** Scale of pair j from the 12 bytes at `o`. */
export function scaleK4(bytes: Uint8Array, o: number, j: number): number {
  if (j < 4) return bytes[o + j]! & 63;
  return (bytes[o + j + 4]! & 0xf) | ((bytes[o + j - 4]! >> 6) << 4);
}

/** Min of pair j from the 12 bytes at `o`. */
export function minK4(bytes: Uint8Array, o: number, j: number): number {
  if (j < 4) return bytes[o + j + 4]! & 63;
  return (bytes[o + j + 4]! >> 4) | ((bytes[o + j]! >> 6) << 4);
}
