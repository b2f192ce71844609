import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";

/** The largest entry kept: a listing of ~400,000 files. Larger answers are simply not cached. */
export const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

export interface Entry<T> {
  /** When the hub gave this answer (ms since the epoch). */
  fetchedAt: number;
  value: T;
}

const Envelope = z.object({ v: z.literal(1), fetchedAt: z.number(), value: z.unknown() });

/**
 * JSON and byte entries under one folder, each written to a temp name and renamed (a reader never
 * sees half an entry), readable by this user only. A cache must never fail a command: an entry that
 * is missing, unreadable or malformed is a miss, and a write that fails is skipped.
 */
export class EntryStore {
  constructor(readonly dir: string) {}

  async get<T>(rel: string, schema: z.ZodType<T>): Promise<Entry<T> | undefined> {
    const text = await readFile(join(this.dir, rel), "utf8").catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      const env = Envelope.parse(JSON.parse(text));
      const value = schema.safeParse(env.value);
      return value.success ? { fetchedAt: env.fetchedAt, value: value.data } : undefined;
    } catch {
      return undefined;
    }
  }

  async put(rel: string, value: unknown, fetchedAt = Date.now()): Promise<void> {
    const text = JSON.stringify({ v: 1, fetchedAt, value });
    if (Buffer.byteLength(text) <= MAX_ENTRY_BYTES) await this.write(rel, text);
  }

  async getBytes(rel: string): Promise<Buffer | undefined> {
    return readFile(join(this.dir, rel)).catch(() => undefined);
  }

  async putBytes(rel: string, bytes: Uint8Array): Promise<void> {
    if (bytes.length <= MAX_ENTRY_BYTES) await this.write(rel, bytes);
  }

  async remove(rel: string): Promise<void> {
    await rm(join(this.dir, rel), { recursive: true, force: true }).catch(() => undefined);
  }

  private async write(rel: string, data: string | Uint8Array): Promise<void> {
    const path = join(this.dir, rel);
    const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFile(temp, data, { mode: 0o600 });
      await rename(temp, path);
    } catch {
      await rm(temp, { force: true }).catch(() => undefined);
    }
  }
}
