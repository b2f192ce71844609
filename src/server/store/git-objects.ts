import { createHash } from "node:crypto";

/**
 * Git object ids. The local hub keeps its history git-shaped so that the ids clients see
 * (blob oids in tree listings, ETags on resolve, commit shas) behave like the real hub's.
 */

export function gitBlobOid(content: Uint8Array): string {
  return createHash("sha1").update(`blob ${content.byteLength}\0`).update(content).digest("hex");
}

export function lfsPointer(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
}

export function lfsPointerOid(sha256: string, size: number): { oid: string; pointerSize: number } {
  const pointer = Buffer.from(lfsPointer(sha256, size));
  return { oid: gitBlobOid(pointer), pointerSize: pointer.byteLength };
}

export interface TreeEntryForHash {
  name: string;
  isDir: boolean;
  oid: string;
}

/** Git tree id: entries sorted the way git sorts them (a folder sorts as "name/"). */
export function gitTreeOid(entries: TreeEntryForHash[]): string {
  const sortKey = (e: TreeEntryForHash) => (e.isDir ? `${e.name}/` : e.name);
  const sorted = [...entries].sort((a, b) =>
    Buffer.compare(Buffer.from(sortKey(a)), Buffer.from(sortKey(b))),
  );
  const parts = sorted.map((e) =>
    Buffer.concat([Buffer.from(`${e.isDir ? "40000" : "100644"} ${e.name}\0`), Buffer.from(e.oid, "hex")]),
  );
  const body = Buffer.concat(parts);
  return createHash("sha1").update(`tree ${body.byteLength}\0`).update(body).digest("hex");
}

export interface CommitForHash {
  tree: string;
  parents: string[];
  author: string;
  email: string;
  timestamp: number;
  message: string;
}

export function gitCommitOid(c: CommitForHash): string {
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`)];
  const who = `${c.author} <${c.email}> ${Math.floor(c.timestamp / 1000)} +0000`;
  lines.push(`author ${who}`, `committer ${who}`, "", c.message);
  const body = Buffer.from(lines.join("\n"));
  return createHash("sha1").update(`commit ${body.byteLength}\0`).update(body).digest("hex");
}
