import { randomBytes } from "node:crypto";
import { mkdir, open, rm } from "node:fs/promises";
import { join } from "node:path";
import type { MultipartSession } from "../hub-state.js";
import { RunningHash } from "./running-hash.js";

/**
 * Open multipart uploads. One left alone longer than the expiry (no part written, no completion)
 * is dropped and its parts deleted, so abandoned uploads do not hold disk until a restart.
 */
export class MultipartSessions {
  private readonly sessions = new Map<string, MultipartSession>();
  private timer: NodeJS.Timeout | undefined;
  /** Bytes that uploads now closed read back from disk to hash (the admin stats show it). */
  private readBackClosed = 0;

  constructor(
    private readonly tmpRoot: string,
    private readonly expiryMs: number,
  ) {}

  async open(
    init: Omit<
      MultipartSession,
      "id" | "dir" | "file" | "hash" | "parts" | "writers" | "completing" | "touched" | "busy"
    >,
  ): Promise<MultipartSession> {
    const id = randomBytes(12).toString("hex");
    const dir = join(this.tmpRoot, `multipart-${id}`);
    await mkdir(dir, { recursive: true });
    // Sized up front (sparse: no disk is taken until the parts arrive), so any part can land first.
    const file = join(dir, "object");
    const fh = await open(file, "w");
    try {
      await fh.truncate(init.size);
    } finally {
      await fh.close();
    }
    const session: MultipartSession = {
      ...init,
      id,
      dir,
      file,
      hash: new RunningHash(file, init.size, init.chunkSize),
      parts: new Map(),
      writers: new Map(),
      completing: false,
      touched: Date.now(),
      busy: 0,
    };
    this.sessions.set(id, session);
    this.schedule();
    return session;
  }

  get(id: string): MultipartSession | undefined {
    const s = this.sessions.get(id);
    if (s && s.busy === 0 && Date.now() - s.touched > this.expiryMs) {
      void this.drop(s);
      return undefined;
    }
    return s;
  }

  /** Runs `fn` with the session marked busy (the sweeper leaves it alone), then touches it. */
  async use<T>(s: MultipartSession, fn: () => Promise<T>): Promise<T> {
    s.busy++;
    try {
      return await fn();
    } finally {
      s.busy--;
      s.touched = Date.now();
    }
  }

  async drop(s: MultipartSession): Promise<void> {
    this.sessions.delete(s.id);
    s.hash.close();
    this.readBackClosed += s.hash.readBack;
    await rm(s.dir, { recursive: true, force: true });
  }

  get readBackBytes(): number {
    let open = 0;
    for (const s of this.sessions.values()) open += s.hash.readBack;
    return this.readBackClosed + open;
  }

  get size(): number {
    return this.sessions.size;
  }

  private schedule(): void {
    if (this.timer) return;
    const every = Math.min(60_000, Math.max(200, Math.floor(this.expiryMs / 4)));
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const s of [...this.sessions.values()])
      if (s.busy === 0 && now - s.touched > this.expiryMs) await this.drop(s);
    if (this.sessions.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
