/** Shared block facts and argument checks of the K-quant codecs (QK_K = 256 values a block). */
export const QK_K = 256;

/** The number of whole blocks in `count` values; throws when count is not a multiple of 256. */
export function blockCount(count: number, what: string): number {
  if (count % QK_K !== 0)
    throw new RangeError(`${what}: ${count} values are not a whole number of 256-value blocks`);
  return count / QK_K;
}

/** The number of blocks in `byteLength` bytes of blocks of `typeSize` bytes; throws otherwise. */
export function blockCountOfBytes(byteLength: number, typeSize: number, what: string): number {
  if (byteLength % typeSize !== 0)
    throw new RangeError(`${what}: ${byteLength} bytes are not a whole number of ${typeSize}-byte blocks`);
  return byteLength / typeSize;
}
