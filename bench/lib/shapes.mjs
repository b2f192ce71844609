// The repos the benchmark builds, and their bytes: deterministic, so that a child process can
// regenerate exactly what was seeded (the upload-alone measurement) without reading it back.
import { createCipheriv } from "node:crypto";
import { MiB } from "./units.mjs";

const BLOCK = 4 * MiB;
/** A fixed pseudo-random block (AES-CTR keystream of a fixed key): the same in every process. */
const block = (() => {
  const c = createCipheriv("aes-128-ctr", Buffer.alloc(16, 7), Buffer.alloc(16, 0));
  return Buffer.concat([c.update(Buffer.alloc(BLOCK)), c.final()]);
})();

/**
 * Bytes of a large (LFS) bench file, in 4 MiB chunks: only the chunk in hand is in memory. `head`
 * (a Buffer shorter than a chunk), when given, replaces the file's first bytes.
 */
export async function* largeContent(size, salt, head) {
  let left = size;
  let i = 0;
  while (left > 0) {
    const n = Math.min(left, BLOCK);
    const chunk = Buffer.from(block.subarray(0, n));
    if (n >= 8) {
      chunk.writeUInt32LE(salt, 0);
      chunk.writeUInt32LE(i, 4);
    }
    if (i === 0 && head) head.copy(chunk, 0, 0, Math.min(head.length, n));
    i++;
    yield chunk;
    left -= n;
  }
}

/** Bytes `start..end` (inclusive) of a large bench file, in one buffer (a multipart part). */
export function largeRange(size, salt, start, end) {
  const out = Buffer.allocUnsafe(end - start + 1);
  let pos = start;
  while (pos <= end) {
    const i = Math.floor(pos / BLOCK);
    const off = pos - i * BLOCK;
    const n = Math.min(BLOCK - off, end - pos + 1);
    block.copy(out, pos - start, off, off + n);
    // The first 8 bytes of each chunk carry (salt, chunk index), as largeContent writes them.
    if (off < 8 && Math.min(BLOCK, size - i * BLOCK) >= 8) {
      const head = Buffer.alloc(8);
      head.writeUInt32LE(salt, 0);
      head.writeUInt32LE(i, 4);
      head.copy(out, pos - start, off, Math.min(8, off + n));
    }
    pos += n;
  }
  return out;
}

/**
 * The first bytes of a `size`-byte .safetensors file whose data is one U8 tensor (so that a
 * client that checks the header, as hubferry pull does, takes the rest as its bytes).
 */
export function safetensorsHead(size) {
  let json = "";
  for (let pass = 0; pass < 2; pass++) {
    const n = size - 8 - json.length;
    json = JSON.stringify({ weight: { dtype: "U8", shape: [n], data_offsets: [0, n] } });
    json = json.padEnd(Math.ceil(json.length / 8) * 8, " ");
  }
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, Buffer.from(json)]);
}

/** A small text file (the hubs keep it in git, not LFS): base64 of the block, deterministic. */
export function textContent(size, salt) {
  const head = `{"file": ${salt}, "pad": "`;
  const tail = `"}\n`;
  const body = block
    .subarray((salt * 4099) % (BLOCK - size), ((salt * 4099) % (BLOCK - size)) + size)
    .toString("base64")
    .slice(0, Math.max(0, size - head.length - tail.length));
  return Buffer.from(head + body + tail);
}

/** A small file's bytes (in memory), or a large file's as a stream of chunks. */
export function contentOf(file) {
  if (file.kind === "large") return largeContent(file.size, file.salt, file.head);
  return file.literal !== undefined ? Buffer.from(file.literal) : textContent(file.size, file.salt);
}

const README = "---\nlicense: mit\n---\n# hubferry benchmark repo\n";

/** (a) 2-4 GB, one file >= 1 GB plus small files; (b) 1,000 small files; (c) one 5 GiB file. */
export function shapeFiles(name, quick) {
  const files = [];
  const large = (path, size, salt) => files.push({ path, size, salt, kind: "large" });
  const text = (path, size, salt) => files.push({ path, size, salt, kind: "text" });
  const readme = () =>
    files.push({
      path: "README.md",
      size: Buffer.byteLength(README),
      salt: 0,
      kind: "text",
      literal: README,
    });
  if (name === "a") {
    const sizes = quick ? [256 * MiB, 64 * MiB] : [1200 * MiB, 512 * MiB, 384 * MiB];
    for (const [i, s] of sizes.entries())
      large(`model-0000${i + 1}-of-0000${sizes.length}.safetensors`, s, 10 + i);
    const small = quick ? 20 : 40;
    for (let i = 0; i < small; i++) text(`configs/part-${i}.json`, 2000 + i * 97, 100 + i);
    readme();
  } else if (name === "b") {
    const n = quick ? 200 : 1000;
    // 1-32 KiB each, spread over 10 folders.
    for (let i = 0; i < n; i++)
      text(
        `data/${String(i % 10).padStart(2, "0")}/item-${String(i).padStart(4, "0")}.json`,
        1024 + ((i * 7919) % (31 * 1024)),
        1000 + i,
      );
  } else if (name === "c") {
    large("model.safetensors", quick ? 512 * MiB : 5 * 1024 * MiB, 20);
  } else throw new Error(`unknown shape "${name}" (a, b or c)`);
  return files;
}

export const SHAPE_TITLES = {
  a: "(a) one file >= 1 GB, a few large files and small files",
  b: "(b) many small files",
  c: "(c) one very large file",
};

export function describeShape(files) {
  const large = files.filter((f) => f.kind === "large");
  const small = files.length - large.length;
  const total = files.reduce((n, f) => n + f.size, 0);
  const parts = [];
  if (large.length) parts.push(`LFS ${large.map((f) => `${Math.round(f.size / MiB)} MiB`).join(" + ")}`);
  if (small) parts.push(`${small} small text files`);
  return `${(total / MiB).toFixed(0)} MiB in ${files.length} file${files.length === 1 ? "" : "s"}: ${parts.join(", ")}`;
}
