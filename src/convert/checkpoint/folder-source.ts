import { open, readdir, readFile, stat } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import { HubferryError } from "../../core/errors.js";
import type { CheckpointSource } from "./source.js";

async function walk(root: string, dir: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, full, out);
    else if (entry.isFile()) out.push(relative(root, full).split(sep).join("/"));
  }
}

/** A checkpoint in a local folder. */
export async function folderSource(dir: string): Promise<CheckpointSource> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory())
    throw new HubferryError(
      "BAD_INPUT",
      `${dir} is not a folder`,
      "give the folder that holds config.json and the safetensors files, or a repo as hf:ORG/NAME",
    );
  const inside = (path: string) => {
    const full = resolve(root, path);
    if (full !== root && !full.startsWith(root + sep))
      throw new HubferryError("BAD_INPUT", `${path} is outside ${dir}`);
    return full;
  };
  return {
    name: basename(root),
    async list() {
      const out: string[] = [];
      await walk(root, root, out);
      return out.sort();
    },
    async readText(path) {
      try {
        return await readFile(inside(path), "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw err;
      }
    },
    async readRange(path, offset, length) {
      const handle = await open(inside(path), "r");
      try {
        const out = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(out, done, length - done, offset + done);
          if (bytesRead === 0)
            throw new HubferryError(
              "BAD_INPUT",
              `${path} ended before byte ${offset + length}`,
              "the file is truncated: download it again",
            );
          done += bytesRead;
        }
        return out;
      } finally {
        await handle.close();
      }
    },
    async size(path) {
      return (await stat(inside(path))).size;
    },
  };
}
