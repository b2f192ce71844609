import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";

/** Deterministic pseudo-random bytes, so that failures reproduce. */
export function pseudoRandom(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash("sha256").update(`seed-${seed}`).digest();
  for (let off = 0; off < size; off += block.length) {
    block.copy(out, off, 0, Math.min(block.length, size - off));
    block = createHash("sha256").update(block).digest();
  }
  return out;
}

export interface RepoFixture {
  files: Record<string, Buffer>;
}

/**
 * A repo with what real repos have: a card, small text files, nested folders, an empty file,
 * LFS files by suffix, a binary file, and one file large enough to be uploaded in parts.
 */
export function sampleFixture(
  opts: { multipartBytes?: number; seed?: number; card?: string } = {},
): RepoFixture {
  const seed = opts.seed ?? 1;
  return {
    files: {
      "README.md": Buffer.from(
        opts.card ??
          "---\nlicense: apache-2.0\nlibrary_name: transformers\ntags:\n  - interop\n---\n\n# Test repo\n",
      ),
      "config.json": Buffer.from(`${JSON.stringify({ hidden_size: 8, seed }, null, 2)}\n`),
      "nested/deep/notes.txt": Buffer.from(`notes ${seed}\n`.repeat(20)),
      "nested/empty.txt": Buffer.alloc(0),
      "model.safetensors": pseudoRandom(200_000, seed + 1),
      "images/pic.png": Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]),
        pseudoRandom(5_000, seed + 2),
      ]),
      "weights/big.bin": pseudoRandom(opts.multipartBytes ?? 5 * 1024 * 1024 + 12345, seed + 3),
    },
  };
}

export async function writeFixture(dir: string, fixture: RepoFixture): Promise<void> {
  for (const [path, content] of Object.entries(fixture.files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Every regular file below `dir` (following symlinks, as the HF cache uses them), by relative path. */
export async function readTree(
  dir: string,
  ignore: (rel: string) => boolean = () => false,
): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  async function walk(d: string) {
    for (const name of await readdir(d)) {
      const full = join(d, name);
      const rel = relative(dir, full);
      if (ignore(rel)) continue;
      const s = await stat(full);
      if (s.isDirectory()) await walk(full);
      else out[rel] = await readFile(full);
    }
  }
  await walk(dir);
  return out;
}

/** Paths whose bytes differ between two trees (missing on either side counts). */
export function treeDiff(expected: Record<string, Buffer>, actual: Record<string, Buffer>): string[] {
  const paths = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  return [...paths].filter((p) => !expected[p] || !actual[p] || !expected[p].equals(actual[p])).sort();
}

export function randomName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}
