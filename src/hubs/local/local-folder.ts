import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, rmdir, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { HubferryError } from "../../core/errors.js";
import { hashFile } from "../../transfer/hashing.js";
import type {
  CommitChange,
  DestFile,
  SourceFile,
  TransferDestination,
  TransferSource,
  UploadMethod,
} from "../../transfer/types.js";

const STAGING = ".hubferry-staging";

/** An entry of a folder that is not published, and why (so a plan can say so). */
export interface SkippedEntry {
  path: string;
  reason: string;
}

async function walk(root: string, skipped: SkippedEntry[] = []): Promise<{ path: string; size: number }[]> {
  const out: { path: string; size: number }[] = [];
  async function go(dir: string) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const rel = relative(root, full).split(sep).join("/");
      if (rel === STAGING) continue;
      if (rel === ".git") skipped.push({ path: rel, reason: "git's own folder" });
      else if (entry.isDirectory()) await go(full);
      else if (entry.isFile()) out.push({ path: rel, size: (await stat(full)).size });
      // A link's target may lie outside the folder; hubs store no links. Said, never silently dropped.
      else if (entry.isSymbolicLink())
        skipped.push({ path: rel, reason: "a symbolic link (hubs store no links)" });
      else skipped.push({ path: rel, reason: "not a regular file (socket, pipe or device)" });
    }
  }
  await go(root);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** What `localFolderSource` leaves out of a folder: links, special files and `.git`. */
export async function skippedEntries(dir: string): Promise<SkippedEntry[]> {
  const skipped: SkippedEntry[] = [];
  await walk(dir, skipped);
  return skipped.sort((a, b) => a.path.localeCompare(b.path));
}

/** A folder as a transfer source (for push): files are hashed from disk, read by byte range. */
export async function localFolderSource(dir: string): Promise<TransferSource> {
  const s = await stat(dir).catch(() => undefined);
  if (!s?.isDirectory())
    throw new HubferryError("BAD_INPUT", `${dir} is not a folder`, "give the path of a folder to upload");
  return {
    label: `local:${dir}`,
    revision: "working-tree",
    list: async () =>
      Promise.all(
        (await walk(dir)).map(
          async (f): Promise<SourceFile> => ({ ...f, sha256: await hashFile(join(dir, f.path), "sha256") }),
        ),
      ),
    read: async (path, start, end) => createReadStream(join(dir, path), { start, end }),
  };
}

/**
 * A folder as a transfer destination (for pull): bytes are staged under `.hubferry-staging/` and
 * only renamed into place by `commit`, so a folder never holds a half-written or unverified file.
 */
export function localFolderDestination(dir: string): TransferDestination {
  const staging = join(dir, STAGING);
  const staged = new Map<string, string>();
  // Files being written: the next batch is staged while a commit runs (the engine pipelines).
  let writing = 0;
  return {
    label: `local:${dir}`,
    url: dir,
    list: async (): Promise<DestFile[]> => {
      // What an earlier run left staged (killed mid-file) goes; this run stages only after listing.
      if (staged.size === 0 && writing === 0) await rm(staging, { recursive: true, force: true });
      const s = await stat(dir).catch(() => undefined);
      if (!s) return [];
      return Promise.all(
        (await walk(dir)).map(async (f) => ({ ...f, sha256: await hashFile(join(dir, f.path), "sha256") })),
      );
    },
    prepare: async (files) =>
      files.map(
        (f): UploadMethod => ({
          kind: "single",
          put: async (body) => {
            const tmp = join(staging, `${f.sha256}.${randomBytes(4).toString("hex")}`);
            writing++;
            try {
              await mkdir(staging, { recursive: true });
              await pipeline(Readable.from(body), createWriteStream(tmp));
            } catch (err) {
              await rm(tmp, { force: true });
              throw err;
            } finally {
              writing--;
            }
            staged.set(f.path, tmp);
          },
        }),
      ),
    commit: async (changes: CommitChange[]) => {
      for (const c of changes) {
        const target = join(dir, c.path);
        if (c.kind === "delete") {
          await unlink(target).catch(() => {});
          continue;
        }
        await mkdir(dirname(target), { recursive: true });
        if (c.kind === "inline") {
          const tmp = `${target}.${randomBytes(4).toString("hex")}.tmp`;
          await writeFile(tmp, c.content);
          await rename(tmp, target);
        } else {
          const tmp = staged.get(c.path);
          if (!tmp) throw new HubferryError("PROTOCOL", `${c.path}: no staged bytes for it`);
          await rename(tmp, target);
          staged.delete(c.path);
        }
      }
      // The staging folder goes once nothing is staged or being written for a later commit.
      // Only an empty folder is removed (rmdir), so a file staged meanwhile is never lost.
      if (staged.size === 0 && writing === 0) await rmdir(staging).catch(() => {});
      return `local-${Date.now()}`;
    },
  };
}
