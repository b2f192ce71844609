import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { GgufSink } from "./write-gguf.js";

/**
 * The output file, written under a temporary name beside it and renamed into place only once
 * every byte is written and flushed: a failed or interrupted conversion leaves nothing under the
 * final name (and removes its temporary file).
 */
export interface FileOutput extends GgufSink {
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export async function fileOutput(path: string): Promise<FileOutput> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString("hex")}.partial`;
  const handle: FileHandle = await open(tmp, "wx");
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    async write(bytes) {
      let done = 0;
      while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
    },
    async commit() {
      await handle.sync();
      await close();
      await rename(tmp, path);
    },
    async abort() {
      await close().catch(() => {});
      await rm(tmp, { force: true });
    },
  };
}
