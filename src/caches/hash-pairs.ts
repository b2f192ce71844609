import { appendFile, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import envPaths from "env-paths";

/**
 * Pairs of a file's git blob id and its content sha256, learnt from bytes hubferry hashed itself.
 *
 * Hugging Face lists a regular (non-LFS) file by its git blob id and ModelScope every file by its
 * sha256, so comparing the two sides of a repo of many small files means reading each one: a
 * no-op re-run of 100,000 files would download all of them. Both ids are fixed functions of the
 * content, so a pair once computed from the bytes is true for good; with it the plan compares
 * without a read. Only pairs hashed from content are kept (never one id from a listing and the
 * other from the bytes), and the log is bounded.
 */
export interface HashPair {
  gitOid: string;
  sha256: string;
  size: number;
}

export interface HashPairs {
  /** The pair for a file whose listing gives one of the two ids, if known. */
  lookup(file: { size: number; sha256?: string; gitOid?: string }): HashPair | undefined;
  /** Remembers a pair computed from a file's bytes. */
  add(pair: HashPair): void;
  /** Appends what was added since opening (rewriting the log, newest half kept, when it is too large). */
  save(): Promise<void>;
}

const LINE = /^([0-9a-f]{40}) ([0-9a-f]{64}) (\d{1,15})$/;
/** About 600,000 pairs; past this the log is rewritten with its newest half. */
const MAX_LOG_BYTES = 64 * 1024 * 1024;

export function hashPairsFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HUBFERRY_CACHE) return join(env.HUBFERRY_CACHE, "hash-pairs.log");
  return join(envPaths("hubferry", { suffix: "" }).cache, "hash-pairs.log");
}

/** Opens the log (a missing, unreadable or oversized one is an empty memo, never an error). */
export async function openHashPairs(file = hashPairsFile()): Promise<HashPairs> {
  const byGit = new Map<string, HashPair>();
  const bySha = new Map<string, HashPair>();
  const put = (p: HashPair) => {
    byGit.set(p.gitOid, p);
    bySha.set(`${p.sha256}:${p.size}`, p);
  };
  let loaded: string[] = [];
  const size = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (size > 0 && size <= 2 * MAX_LOG_BYTES) {
    const text = await readFile(file, "utf8").catch(() => "");
    loaded = text.split("\n");
    for (const line of loaded) {
      const m = LINE.exec(line);
      if (m) put({ gitOid: m[1]!, sha256: m[2]!, size: Number(m[3]) });
    }
  }
  const added: HashPair[] = [];
  return {
    lookup(f) {
      const p = f.gitOid ? byGit.get(f.gitOid) : f.sha256 ? bySha.get(`${f.sha256}:${f.size}`) : undefined;
      return p && p.size === f.size ? p : undefined;
    },
    add(p) {
      if (byGit.get(p.gitOid)?.sha256 === p.sha256) return;
      put(p);
      added.push(p);
    },
    async save() {
      if (added.length === 0) return;
      const lines = added.map((p) => `${p.gitOid} ${p.sha256} ${p.size}\n`).join("");
      added.length = 0;
      try {
        await mkdir(dirname(file), { recursive: true });
        if (size + lines.length <= MAX_LOG_BYTES) return await appendFile(file, lines);
        // Too large: the newest half of what was there, then the new pairs, under a temp name.
        const keep = loaded.filter((l) => LINE.test(l)).slice(-Math.floor(loaded.length / 2));
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, `${keep.join("\n")}\n${lines}`);
        await rename(tmp, file);
      } catch {
        // A cache that cannot be written costs a later run some reads, nothing else.
      }
    },
  };
}
