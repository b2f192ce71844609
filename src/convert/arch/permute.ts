/**
 * llama.cpp stores Q and K rows in the interleaved rotary layout; Hugging Face's llama keeps them
 * rotate-half. Upstream undoes it with `reshape(heads, 2, rows/heads/2, ...).swapaxes(1, 2)`: within
 * each head, output row 2i+j is source row j*half+i. Biases (1-D) move the same way.
 */
export function permutedRow(row: number, rows: number, heads: number): number {
  const perHead = rows / heads;
  const half = perHead / 2;
  const head = Math.floor(row / perHead);
  const within = row % perHead;
  return head * perHead + (within % 2) * half + Math.floor(within / 2);
}

/** `values` (rows × rowLength, row-major) with its rows permuted as above. */
export function permuteRows(values: Float32Array, rows: number, heads: number): Float32Array {
  if (rows % (heads * 2) !== 0)
    throw new RangeError(`${rows} rows do not split into ${heads} heads of two halves`);
  const rowLength = values.length / rows;
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    const from = permutedRow(r, rows, heads) * rowLength;
    out.set(values.subarray(from, from + rowLength), r * rowLength);
  }
  return out;
}

/** The inverse of permuteRows: llama.cpp's rotary layout back to Hugging Face's rotate-half. */
export function unpermuteRows(values: Float32Array, rows: number, heads: number): Float32Array {
  if (rows % (heads * 2) !== 0)
    throw new RangeError(`${rows} rows do not split into ${heads} heads of two halves`);
  const rowLength = values.length / rows;
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    const to = permutedRow(r, rows, heads) * rowLength;
    out.set(values.subarray(r * rowLength, (r + 1) * rowLength), to);
  }
  return out;
}
