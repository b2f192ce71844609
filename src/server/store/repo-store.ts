import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { atomicWriteJson } from "../../core/atomic-write.js";
import type { RepoType } from "../../core/repo-type.js";
import { applyChanges, type CommitChanges, changesFrom } from "./commit-file.js";
import { type FileEntry, type FileMap, FileTree } from "./file-tree.js";
import { gitCommitOid } from "./git-objects.js";
import { LfsScopes } from "./lfs-scope.js";
import { KeyedMutex } from "./mutex.js";
import { fileFolderClash } from "./path-clash.js";
import { storedFileEntries } from "./stored-file-entries.js";
import { WeighedCache } from "./weighed-cache.js";

/** Which API face a repo belongs to: each face keeps its own namespaces, as two real sites would. */
export type Face = "hf" | "ms";

export type Gated = false | "auto" | "manual";

export interface RepoMeta {
  face: Face;
  type: RepoType;
  namespace: string;
  name: string;
  objectId: string;
  private: boolean;
  gated: Gated;
  sdk?: string;
  license?: string;
  createdAt: string;
  defaultBranch: string;
  branches: Record<string, string>;
  tags: Record<string, string>;
  pullRequests: Record<string, string>;
  likes: number;
  /** Face-specific extras (e.g. ModelScope chinese name, visibility code). */
  extra: Record<string, unknown>;
}

export interface Commit {
  id: string;
  parents: string[];
  title: string;
  description: string;
  author: string;
  date: string;
  files: FileMap;
}

/** A commit without its files: what history walks and commit listings need. */
export type CommitHeader = Omit<Commit, "files">;

export type CommitOp =
  | { kind: "add"; path: string; entry: FileEntry }
  | { kind: "delete"; path: string }
  | { kind: "deleteFolder"; path: string }
  /** A file, or else every file of the folder of that name (the HF face's `deletedFile`). */
  | { kind: "deletePath"; path: string };

export class RevisionNotFound extends Error {}
export class EntryNotFound extends Error {}
export class ParentMismatch extends Error {}
/** A commit would leave a file and a folder of one name (`dir` and `dir/x`): no client can check that out. */
export class PathConflict extends Error {}
/** A walk of a repo's history passed its bound. */
export class TooManyCommits extends Error {}

export interface RepoKey {
  face: Face;
  type: RepoType;
  namespace: string;
  name: string;
}

export function repoKeyString(k: RepoKey): string {
  return `${k.face}:${k.type}:${k.namespace}/${k.name}`;
}

const COMMIT_RE = /^[0-9a-f]{40}$/;

function headerOf(c: CommitHeader & { files?: unknown; changes?: unknown }): CommitHeader {
  return {
    id: c.id,
    parents: c.parents,
    title: c.title,
    description: c.description,
    author: c.author,
    date: c.date,
  };
}

/** How far back a listing looks for the commit that last changed each path. */
const LAST_COMMIT_DEPTH = 32;

/** The folders (and the root, "") holding a file that differs between two commits. */
function changedFolders(a: Commit, b: Commit): Set<string> {
  const out = new Set<string>();
  const mark = (path: string) => {
    for (let i = path.lastIndexOf("/"); i > 0; i = path.lastIndexOf("/", i - 1)) {
      const dir = path.slice(0, i);
      if (out.has(dir)) return;
      out.add(dir);
    }
    out.add("");
  };
  for (const [path, e] of Object.entries(a.files)) if (b.files[path]?.gitOid !== e.gitOid) mark(path);
  for (const path of Object.keys(b.files)) if (!(path in a.files)) mark(path);
  return out;
}

/** Repos, their refs and commits, as JSON files under `root/repos`, with an in-memory index. */
export class RepoStore {
  private readonly repos = new Map<string, RepoMeta>();
  /** Bounded by the file entries they hold (a tree's nodes weigh more than a commit's entries). */
  private readonly commits = new WeighedCache<Commit>(
    4096,
    2_000_000,
    (c) => Object.keys(c.files).length + 1,
  );
  /** Headers of commits seen (small): history walks never hold whole file maps. */
  private readonly headers = new WeighedCache<CommitHeader>(200_000, 200_000, () => 1);
  /** Per cached commit, how many commits back its whole file map is kept on disk (0: it is). */
  private readonly chainDepth = new Map<string, number>();
  private readonly trees = new WeighedCache<FileTree>(256, 400_000, (t) => t.fileCount + 1);
  private readonly downloads = new Map<string, number>();
  private readonly byObjectId = new Map<string, string>();
  /** Told the LFS objects of every commit written (the hub derives their Xet layouts). */
  onLfsObjects: ((sha256s: string[]) => void) | undefined;
  readonly locks = new KeyedMutex();
  /** Which LFS objects each repo may reference (see LfsScopes). */
  readonly lfs: LfsScopes;

  constructor(private readonly root: string) {
    this.lfs = new LfsScopes((k) => this.repoDir(k), repoKeyString);
  }

  private repoDir(k: RepoKey): string {
    return join(this.root, "repos", k.face, `${k.type}s`, k.namespace, k.name);
  }

  async init(): Promise<void> {
    const base = join(this.root, "repos");
    for (const face of await listDirs(base)) {
      for (const typeDir of await listDirs(join(base, face))) {
        for (const ns of await listDirs(join(base, face, typeDir))) {
          for (const name of await listDirs(join(base, face, typeDir, ns))) {
            const dir = join(base, face, typeDir, ns, name);
            try {
              const meta = JSON.parse(await readFile(join(dir, "repo.json"), "utf8")) as RepoMeta;
              this.repos.set(repoKeyString(meta), meta);
              this.byObjectId.set(meta.objectId, repoKeyString(meta));
              const stats = JSON.parse(await readFile(join(dir, "stats.json"), "utf8").catch(() => "{}"));
              if (typeof stats.downloads === "number")
                this.downloads.set(repoKeyString(meta), stats.downloads);
            } catch {
              // A folder without a readable repo.json is not a repo (e.g. an interrupted create).
            }
          }
        }
      }
    }
  }

  get(k: RepoKey): RepoMeta | undefined {
    return this.repos.get(repoKeyString(k));
  }

  /** The repo with this `objectId` (signed upload URLs name repos by it). */
  getByObjectId(objectId: string): RepoMeta | undefined {
    const key = this.byObjectId.get(objectId);
    return key ? this.repos.get(key) : undefined;
  }

  all(face: Face, type: RepoType): RepoMeta[] {
    return [...this.repos.values()].filter((r) => r.face === face && r.type === type);
  }

  async create(
    k: RepoKey,
    opts: {
      private: boolean;
      sdk?: string;
      license?: string;
      author: string;
      initialFiles: FileMap;
      extra?: Record<string, unknown>;
      defaultBranch?: string;
    },
  ): Promise<RepoMeta> {
    const meta = newMeta(k, opts);
    const initial = await this.writeCommit(k, {
      parents: [],
      title: "initial commit",
      description: "",
      author: opts.author,
      files: opts.initialFiles,
    });
    meta.branches[meta.defaultBranch] = initial.id;
    await this.saveMeta(meta);
    return meta;
  }

  /**
   * A new repo holding the history of `source`: every commit reachable from its branches and tags,
   * copied with its id (so the history is the source's), and those refs. Callers hold the create
   * lock of `k` and checked it is free; the repo exists only once everything is written, and what
   * an interrupted copy left behind is cleared first, so it never leaks into a later repo.
   */
  async createCopy(
    k: RepoKey,
    opts: { private: boolean; sdk?: string; license?: string },
    source: RepoMeta,
    limit: number,
  ): Promise<RepoMeta> {
    if (this.repos.has(repoKeyString(k))) throw new Error(`${repoKeyString(k)} exists`);
    const refs = { branches: { ...source.branches }, tags: { ...source.tags } };
    await rm(this.repoDir(k), { recursive: true, force: true });
    this.lfs.forget(k);
    try {
      const heads = [...Object.values(refs.branches), ...Object.values(refs.tags)];
      for await (const c of this.reachable(source, heads, limit)) await this.importCommit(k, c);
      const meta = newMeta(k, { ...opts, defaultBranch: source.defaultBranch });
      Object.assign(meta, refs);
      await this.saveMeta(meta);
      return meta;
    } catch (err) {
      await rm(this.repoDir(k), { recursive: true, force: true });
      this.lfs.forget(k);
      throw err;
    }
  }

  /**
   * Every commit reachable from `heads` (through all parents), each once, newest refs first.
   * More than `limit` is TooManyCommits; a commit that cannot be read is RevisionNotFound (the
   * repo was deleted meanwhile).
   */
  async *reachable(k: RepoKey, heads: Iterable<string>, limit: number): AsyncGenerator<Commit> {
    const seen = new Set<string>();
    const todo = [...heads];
    while (todo.length > 0) {
      const id = todo.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      if (seen.size > limit) throw new TooManyCommits(`More than ${limit} commits`);
      const c = await this.loadCommit(k, id);
      if (!c) throw new RevisionNotFound(`Invalid rev id: ${id} (missing commit)`);
      yield c;
      todo.push(...c.parents);
    }
  }

  /**
   * A repo with no commit yet, for a history that comes from elsewhere (a mirror's upstream): its
   * commits are then written with `importCommit` and its refs set by the caller.
   */
  async createForeign(
    k: RepoKey,
    opts: {
      private: boolean;
      sdk?: string;
      license?: string;
      defaultBranch: string;
      extra: Record<string, unknown>;
    },
  ): Promise<RepoMeta> {
    if (this.repos.has(repoKeyString(k))) throw new Error(`${repoKeyString(k)} exists`);
    const meta = newMeta(k, opts);
    await this.saveMeta(meta);
    return meta;
  }

  /** Writes a commit of another repo (of this hub, or upstream's) as it is (same id, date and files) into `k`. */
  async importCommit(k: RepoKey, c: Commit): Promise<void> {
    const lfsObjects = Object.values(c.files)
      .filter((f) => f.lfs)
      .map((f) => f.sha256);
    await this.lfs.grant(k, lfsObjects);
    this.onLfsObjects?.(lfsObjects);
    await atomicWriteJson(join(this.repoDir(k), "commits", `${c.id}.json`), c);
    this.commits.set(`${repoKeyString(k)}@${c.id}`, c);
  }

  /**
   * The sha256 of every file in any commit of the repo (read from disk: commits kept as changes
   * list only what they set, and each is read in its own turn). For pruning, which is rare.
   */
  async everyBlob(k: RepoKey): Promise<Set<string>> {
    const found = new Set<string>();
    for await (const f of storedFileEntries(join(this.repoDir(k), "commits"))) found.add(f.sha256);
    return found;
  }

  async delete(k: RepoKey): Promise<void> {
    const meta = this.repos.get(repoKeyString(k));
    if (meta) this.byObjectId.delete(meta.objectId);
    this.repos.delete(repoKeyString(k));
    this.lfs.forget(k);
    await rm(this.repoDir(k), { recursive: true, force: true });
  }

  /** Moves a repo to a new id (rename or transfer); callers check the target is free. */
  async rename(meta: RepoMeta, to: RepoKey): Promise<RepoMeta> {
    const moved: RepoMeta = { ...meta, ...to };
    await mkdir(dirname(this.repoDir(to)), { recursive: true });
    await rename(this.repoDir(meta), this.repoDir(to));
    this.repos.delete(repoKeyString(meta));
    await this.saveMeta(moved);
    return moved;
  }

  async saveMeta(meta: RepoMeta): Promise<void> {
    await atomicWriteJson(join(this.repoDir(meta), "repo.json"), meta);
    this.repos.set(repoKeyString(meta), meta);
    this.byObjectId.set(meta.objectId, repoKeyString(meta));
  }

  /** Resolves a revision (branch, tag, `refs/...`, `HEAD`, or a commit of this repo) to a commit id. */
  async resolveRevision(meta: RepoMeta, revision: string): Promise<string> {
    const rev = revision === "HEAD" ? meta.defaultBranch : revision;
    const named =
      meta.branches[rev] ??
      meta.tags[rev] ??
      meta.branches[rev.replace(/^refs\/heads\//, "")] ??
      meta.tags[rev.replace(/^refs\/tags\//, "")] ??
      meta.pullRequests[rev];
    if (named) return named;
    if (COMMIT_RE.test(rev) && (await this.loadCommit(meta, rev))) return rev;
    if (/^[0-9a-f]{7,39}$/.test(rev)) {
      const found = await this.shortCommit(meta, rev);
      if (found) return found;
    }
    throw new RevisionNotFound(`Invalid rev id: ${revision}`);
  }

  /** The commit named by a full id or a prefix of 5+ hex digits (as `parentCommit` may be), if any. */
  async findCommit(meta: RepoMeta, idOrPrefix: string): Promise<string | undefined> {
    if (COMMIT_RE.test(idOrPrefix)) return (await this.loadCommit(meta, idOrPrefix)) ? idOrPrefix : undefined;
    return /^[0-9a-f]{5,39}$/.test(idOrPrefix) ? this.shortCommit(meta, idOrPrefix) : undefined;
  }

  /** A short commit id (a prefix of a commit reachable from a ref); bounded walk. */
  private async shortCommit(meta: RepoMeta, prefix: string): Promise<string | undefined> {
    const heads = new Set([
      ...Object.values(meta.branches),
      ...Object.values(meta.tags),
      ...Object.values(meta.pullRequests),
    ]);
    for (const head of heads) {
      const hit = (await this.history(meta, head, 10_000)).find((c) => c.id.startsWith(prefix));
      if (hit) return hit.id;
    }
    return undefined;
  }

  async loadCommit(k: RepoKey, id: string): Promise<Commit | undefined> {
    const cacheKey = `${repoKeyString(k)}@${id}`;
    const cached = this.commits.get(cacheKey);
    if (cached) return cached;
    let stored: Commit & { changes?: CommitChanges };
    try {
      stored = JSON.parse(await readFile(join(this.repoDir(k), "commits", `${id}.json`), "utf8"));
    } catch {
      return undefined;
    }
    const { changes, ...commit } = stored;
    if (changes) {
      const base = await this.loadCommit(k, changes.base);
      if (!base) return undefined;
      commit.files = applyChanges(base.files, changes);
    }
    this.chainDepth.set(cacheKey, changes?.depth ?? 0);
    this.commits.set(cacheKey, commit);
    return commit;
  }

  async commitAt(meta: RepoMeta, revision: string): Promise<Commit> {
    const id = await this.resolveRevision(meta, revision);
    const commit = await this.loadCommit(meta, id);
    if (!commit) throw new RevisionNotFound(`Invalid rev id: ${revision}`);
    return commit;
  }

  tree(commit: Commit): FileTree {
    let tree = this.trees.get(commit.id);
    if (!tree) {
      tree = new FileTree(commit.files);
      this.trees.set(commit.id, tree);
    }
    return tree;
  }

  /**
   * Commits newest first, following first parents from `id`: their headers, so that a walk of a
   * thousand commits of a 100,000-file repo holds no file map (load one with `loadCommit`).
   */
  async history(k: RepoKey, id: string, limit = Number.POSITIVE_INFINITY): Promise<CommitHeader[]> {
    const out: CommitHeader[] = [];
    let next: string | undefined = id;
    while (next && out.length < limit) {
      const c = await this.loadHeader(k, next);
      if (!c) break;
      out.push(c);
      next = c.parents[0];
    }
    return out;
  }

  /** A commit's header, from the caches or its file (whose file map is then dropped). */
  async loadHeader(k: RepoKey, id: string): Promise<CommitHeader | undefined> {
    const cacheKey = `${repoKeyString(k)}@${id}`;
    const known = this.headers.get(cacheKey);
    if (known) return known;
    const whole = this.commits.get(cacheKey);
    let header: CommitHeader;
    if (whole) header = headerOf(whole);
    else {
      try {
        header = headerOf(JSON.parse(await readFile(join(this.repoDir(k), "commits", `${id}.json`), "utf8")));
      } catch {
        return undefined;
      }
    }
    this.headers.set(cacheKey, header);
    return header;
  }

  /** The newest commit in which `path` (a file or a folder) last changed. */
  async lastCommitOf(k: RepoKey, head: Commit, path: string, isDir: boolean): Promise<Commit> {
    return (await this.lastCommitsOf(k, head, [{ path, isDir }])).get(path) ?? head;
  }

  /**
   * The same for many paths in one walk of the history (a listing of 10,000 files would
   * otherwise walk it once per path). Each path's answer is the oldest commit of the unbroken run,
   * from `head` back, in which it has its head content. Commits are compared pairwise, without
   * building trees; a folder changed when a file under it did. The walk is bounded
   * (LAST_COMMIT_DEPTH): past it, the oldest commit walked is the answer, so a listing of a repo
   * with a long history loads at most that many commits, never the whole history.
   */
  async lastCommitsOf(
    k: RepoKey,
    head: Commit,
    paths: { path: string; isDir: boolean }[],
  ): Promise<Map<string, Commit>> {
    const last = new Map(paths.map((p) => [p.path, head]));
    let open = paths;
    let newer = head;
    // One commit at a time (the caches bound what stays loaded), newest first.
    for (let i = 1; i < LAST_COMMIT_DEPTH && open.length > 0 && newer.parents[0]; i++) {
      const older = await this.loadCommit(k, newer.parents[0]);
      if (!older) break;
      const dirsChanged = open.some((p) => p.isDir) ? changedFolders(newer, older) : undefined;
      open = open.filter((p) => {
        const changed = p.isDir
          ? dirsChanged!.has(p.path)
          : newer.files[p.path]?.gitOid !== older.files[p.path]?.gitOid;
        if (changed) return false;
        last.set(p.path, older);
        return true;
      });
      newer = older;
    }
    return last;
  }

  /**
   * Applies `ops` on top of `branch` and moves the branch. Callers hold `locks` for the repo.
   * Deleting a path that does not exist is an EntryNotFound error, as on the real hubs.
   * With `startFrom` (a commit id), a branch that does not exist yet is created by this commit,
   * on top of that commit; it exists only once the commit is written.
   */
  async commit(
    meta: RepoMeta,
    params: {
      branch: string;
      parentCommit?: string;
      title: string;
      description: string;
      author: string;
      ops: CommitOp[];
      startFrom?: string;
    },
  ): Promise<Commit> {
    const isNew = !meta.branches[params.branch] && !meta.pullRequests[params.branch];
    const headId = isNew
      ? params.startFrom
      : (meta.branches[params.branch] ?? meta.pullRequests[params.branch]);
    if (!headId) throw new RevisionNotFound(`Invalid rev id: ${params.branch}`);
    if (params.parentCommit && !headId.startsWith(params.parentCommit)) {
      throw new ParentMismatch("A commit has happened since. Please refresh and try again.");
    }
    const head = await this.loadCommit(meta, headId);
    if (!head) throw new RevisionNotFound(`Invalid rev id: ${params.branch}`);
    const files: FileMap = { ...head.files };
    for (const op of params.ops) {
      if (op.kind === "add") {
        files[op.path] = op.entry;
      } else if (op.kind === "delete") {
        if (!files[op.path]) throw new EntryNotFound(`File not found in repository: ${op.path}`);
        delete files[op.path];
      } else if (op.kind === "deletePath" && files[op.path]) {
        delete files[op.path];
      } else {
        const doomed = filesUnder(files, op.path);
        const what = op.kind === "deletePath" ? "file or folder" : "folder";
        if (doomed.length === 0)
          throw new EntryNotFound(`A ${what} with the name "${op.path}" does not exist`);
        for (const p of doomed) delete files[p];
      }
    }
    const clash = fileFolderClash(Object.keys(files));
    if (clash)
      throw new PathConflict(
        `"${clash.file}" would be both a file and a folder (it holds "${clash.inside}"); rename or delete one of them in the same commit`,
      );
    const commit = await this.writeCommit(meta, {
      parents: [headId],
      title: params.title,
      description: params.description,
      author: params.author,
      files,
    });
    if (isNew || meta.branches[params.branch]) meta.branches[params.branch] = commit.id;
    else meta.pullRequests[params.branch] = commit.id;
    await this.saveMeta(meta);
    return commit;
  }

  /** Writes a commit object without moving any ref (super-squash, empty branches, rewrites). */
  async writeCommit(k: RepoKey, c: Omit<Commit, "id" | "date">): Promise<Commit> {
    const date = new Date();
    const tree = new FileTree(c.files);
    const message = c.description ? `${c.title}\n\n${c.description}` : c.title;
    const id = gitCommitOid({
      tree: tree.rootOid,
      parents: c.parents,
      author: c.author,
      email: `${c.author}@users.noreply.hubferry.local`,
      timestamp: date.getTime(),
      message,
    });
    const commit: Commit = { id, date: date.toISOString(), ...c };
    const parentKey = c.parents[0] && `${repoKeyString(k)}@${c.parents[0]}`;
    const parent = parentKey ? this.commits.get(parentKey) : undefined;
    const changes = changesFrom(parent, parentKey ? this.chainDepth.get(parentKey) : undefined, c.files);
    // What a commit holds is in the repo's history, hence the repo's to reference from now on.
    const lfsObjects = Object.values(c.files)
      .filter((f) => f.lfs)
      .map((f) => f.sha256);
    await this.lfs.grant(k, lfsObjects);
    this.onLfsObjects?.(lfsObjects);
    const { files: _whole, ...header } = commit;
    await atomicWriteJson(
      join(this.repoDir(k), "commits", `${id}.json`),
      changes ? { ...header, changes } : commit,
    );
    // Only a parent's depth is ever asked for; forgetting them all costs a whole commit, no more.
    if (this.chainDepth.size > 100_000) this.chainDepth.clear();
    this.chainDepth.set(`${repoKeyString(k)}@${id}`, changes?.depth ?? 0);
    this.commits.set(`${repoKeyString(k)}@${id}`, commit);
    this.trees.set(id, tree);
    return commit;
  }

  downloadCount(k: RepoKey): number {
    return this.downloads.get(repoKeyString(k)) ?? 0;
  }

  private pendingStats = new Set<string>();
  private statsTimer: NodeJS.Timeout | undefined;

  /** Counts a download; counters are flushed to disk in the background, at most once a second. */
  countDownload(meta: RepoMeta): void {
    const key = repoKeyString(meta);
    this.downloads.set(key, (this.downloads.get(key) ?? 0) + 1);
    this.pendingStats.add(key);
    this.statsTimer ??= setTimeout(() => void this.flushStats(), 1000);
    this.statsTimer.unref();
  }

  async flushStats(): Promise<void> {
    clearTimeout(this.statsTimer);
    this.statsTimer = undefined;
    const keys = [...this.pendingStats];
    this.pendingStats.clear();
    for (const key of keys) {
      const meta = this.repos.get(key);
      if (meta)
        await atomicWriteJson(join(this.repoDir(meta), "stats.json"), {
          downloads: this.downloads.get(key) ?? 0,
        });
    }
  }
}

function newMeta(
  k: RepoKey,
  opts: {
    private: boolean;
    sdk?: string;
    license?: string;
    extra?: Record<string, unknown>;
    defaultBranch?: string;
  },
): RepoMeta {
  return {
    ...k,
    objectId: randomBytes(12).toString("hex"),
    private: opts.private,
    gated: false,
    createdAt: new Date().toISOString(),
    defaultBranch: opts.defaultBranch ?? "main",
    branches: {},
    tags: {},
    pullRequests: {},
    likes: 0,
    extra: opts.extra ?? {},
    ...(opts.sdk ? { sdk: opts.sdk } : {}),
    ...(opts.license ? { license: opts.license } : {}),
  };
}

/** The paths inside folder `folder` (never a sibling such as `folder2/x` or `folderx`). */
function filesUnder(files: FileMap, folder: string): string[] {
  const prefix = `${folder.replace(/\/+$/, "")}/`;
  return Object.keys(files).filter((p) => p.startsWith(prefix));
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}
