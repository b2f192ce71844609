/** Collects a body of a known size; more bytes than announced is an error, not a bigger buffer. */
export async function readWhole(body: AsyncIterable<Uint8Array>, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  for await (const chunk of body) {
    got += chunk.byteLength;
    if (got > size) throw new Error(`upstream sent more than the ${size} bytes it listed`);
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks, got);
}
