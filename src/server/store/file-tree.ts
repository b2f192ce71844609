import { gitTreeOid } from "./git-objects.js";

export interface FileEntry {
  sha256: string;
  size: number;
  lfs: boolean;
  /** git blob id: of the content for regular files, of the LFS pointer for LFS files. */
  gitOid: string;
}

export type FileMap = Record<string, FileEntry>;

export interface TreeNode {
  type: "file" | "directory";
  path: string;
  oid: string;
  size: number;
  file?: FileEntry;
}

interface Dir {
  files: Map<string, FileEntry>;
  dirs: Map<string, Dir>;
  oid?: string;
}

/** A commit's folder structure with git tree ids, built once per commit from its flat file map. */
export class FileTree {
  private readonly root: Dir = { files: new Map(), dirs: new Map() };

  /** How many files the tree holds (what the store's cache weighs it by). */
  readonly fileCount: number;

  constructor(readonly files: FileMap) {
    const all = Object.entries(files);
    this.fileCount = all.length;
    for (const [path, entry] of all) {
      const parts = path.split("/");
      let dir = this.root;
      for (const part of parts.slice(0, -1)) {
        let next = dir.dirs.get(part);
        if (!next) {
          next = { files: new Map(), dirs: new Map() };
          dir.dirs.set(part, next);
        }
        dir = next;
      }
      dir.files.set(parts[parts.length - 1]!, entry);
    }
    this.computeOid(this.root);
  }

  get rootOid(): string {
    return this.root.oid!;
  }

  private computeOid(dir: Dir): string {
    const entries = [
      ...[...dir.files].map(([name, f]) => ({ name, isDir: false, oid: f.gitOid })),
      ...[...dir.dirs].map(([name, d]) => ({ name, isDir: true, oid: this.computeOid(d) })),
    ];
    dir.oid = gitTreeOid(entries);
    return dir.oid;
  }

  private findDir(path: string): Dir | undefined {
    if (path === "") return this.root;
    let dir: Dir | undefined = this.root;
    for (const part of path.split("/")) {
      dir = dir?.dirs.get(part);
      if (!dir) return undefined;
    }
    return dir;
  }

  isDirectory(path: string): boolean {
    return this.findDir(path) !== undefined;
  }

  /** Entries below `path` (files and folders), sorted by path; folders precede their contents. */
  /**
   * A commit's tree never changes, so its listings are kept (a few): a paginated listing of
   * 100,000 files asks for the same one once per page, and each walk sorts every folder.
   */
  private readonly listings = new Map<string, readonly TreeNode[]>();

  list(path: string, recursive: boolean): readonly TreeNode[] | undefined {
    const key = `${recursive ? "r" : "-"}${path}`;
    const known = this.listings.get(key);
    if (known) return known;
    const out = this.walkList(path, recursive);
    if (!out) return undefined;
    if (this.listings.size >= 8) this.listings.delete(this.listings.keys().next().value!);
    this.listings.set(key, out);
    return out;
  }

  private walkList(path: string, recursive: boolean): TreeNode[] | undefined {
    const dir = this.findDir(path);
    if (!dir) return undefined;
    const out: TreeNode[] = [];
    const walk = (d: Dir, prefix: string) => {
      const names = [...new Set([...d.files.keys(), ...d.dirs.keys()])].sort();
      for (const name of names) {
        const full = prefix ? `${prefix}/${name}` : name;
        const sub = d.dirs.get(name);
        if (sub) {
          out.push({ type: "directory", path: full, oid: sub.oid!, size: 0 });
          if (recursive) walk(sub, full);
        }
        const file = d.files.get(name);
        if (file) out.push({ type: "file", path: full, oid: file.gitOid, size: file.size, file });
      }
    };
    walk(dir, path);
    return out;
  }

  node(path: string): TreeNode | undefined {
    const file = this.files[path];
    if (file) return { type: "file", path, oid: file.gitOid, size: file.size, file };
    const dir = path ? this.findDir(path) : undefined;
    return dir ? { type: "directory", path, oid: dir.oid!, size: 0 } : undefined;
  }
}
