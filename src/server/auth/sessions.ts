import { randomBytes } from "node:crypto";
import type { AuthedUser } from "./users.js";

export const DEFAULT_SESSION_TTL_SECONDS = 30 * 24 * 3600;
/** Live sessions kept at once; the oldest goes first past this, so logins cannot grow memory. */
const MAX_SESSIONS = 10_000;

interface Session {
  who: AuthedUser;
  expiresAt: number;
}

/**
 * ModelScope web sessions: `POST /api/v1/login` trades an access token for a random session id
 * (the `m_session_id` cookie), as the real site does, so the cookie jar the SDKs persist holds no
 * token. Sessions live in memory: a restart, a logout or the expiry ends them.
 */
export class SessionTable {
  private readonly sessions = new Map<string, Session>();

  constructor(
    readonly ttlSeconds = DEFAULT_SESSION_TTL_SECONDS,
    private readonly now: () => number = Date.now,
  ) {}

  create(who: AuthedUser): { id: string; expiresAt: Date } {
    this.prune();
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const id = randomBytes(24).toString("hex");
    const expiresAt = this.now() + this.ttlSeconds * 1000;
    this.sessions.set(id, { who, expiresAt });
    return { id, expiresAt: new Date(expiresAt) };
  }

  lookup(id: string): AuthedUser | undefined {
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s.who;
  }

  /** Ends a session; true when it existed. */
  end(id: string): boolean {
    return this.sessions.delete(id);
  }

  private prune(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}
