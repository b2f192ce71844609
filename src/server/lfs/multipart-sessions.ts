import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { MultipartSession } from "../hub-state.js";

/**
 * Open multipart uploads. One left alone longer than the expiry (no part written, no completion)
 * is dropped and its parts deleted, so abandoned uploads do not hold disk until a restart.
 */
export class MultipartSessions {
  private readonly sessions = new Map<string, MultipartSession>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tmpRoot: string,
    private readonly expiryMs: number,
  ) {}

  async open(
    init: Omit<MultipartSession, "id" | "dir" | "parts" | "touched" | "busy">,
  ): Promise<MultipartSession> {
    const id = randomBytes(12).toString("hex");
    const dir = join(this.tmpRoot, `multipart-${id}`);
    await mkdir(dir, { recursive: true });
    const session: MultipartSession = { ...init, id, dir, parts: new Map(), touched: Date.now(), busy: 0 };
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
    await rm(s.dir, { recursive: true, force: true });
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
