/**
 * What the first bytes of a file say it is, whatever its name: a renamed pickle must not pass as a
 * `.safetensors` or a `.json`.
 */
export type Sniffed = "pickle" | "torch-zip" | "safetensors" | "gguf" | "unknown";

export const SNIFF_BYTES = 512;

export function sniffFormat(head: Uint8Array): Sniffed {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  // Pickle protocol 2 and later open with PROTO (0x80) and the protocol number.
  if (b.length >= 2 && b[0] === 0x80 && b[1]! >= 2 && b[1]! <= 5) return "pickle";
  // torch.save's zip format: the first member is `<name>/data.pkl`.
  if (b.length >= 30 && b.readUInt32LE(0) === 0x04034b50) {
    const nameLen = b.readUInt16LE(26);
    const name = b.subarray(30, 30 + nameLen).toString("latin1");
    if (name.endsWith(".pkl") || b.includes(Buffer.from("data.pkl"))) return "torch-zip";
  }
  if (b.length >= 4 && b.toString("latin1", 0, 4) === "GGUF") return "gguf";
  if (b.length >= 9) {
    const headerLen = b.readBigUInt64LE(0);
    if (headerLen > 1n && headerLen < 100_000_000n && b[8] === 0x7b /* { */) return "safetensors";
  }
  return "unknown";
}

/**
 * Why these first bytes must not be kept under this name, if they must not: pickles anywhere, and
 * anything that is not what a weight file's extension promises.
 */
export function contentRefusal(path: string, head: Uint8Array): string | undefined {
  const kind = sniffFormat(head);
  if (kind === "pickle" || kind === "torch-zip")
    return `${path} is a pickle (${kind === "pickle" ? "pickle protocol header" : "PyTorch zip with data.pkl"}) whatever its name says`;
  const lower = path.toLowerCase();
  if (lower.endsWith(".safetensors") && kind !== "safetensors" && head.byteLength >= 9)
    return `${path} does not start with a safetensors header`;
  if (lower.endsWith(".gguf") && kind !== "gguf" && head.byteLength >= 4)
    return `${path} does not start with the GGUF magic`;
  return undefined;
}
