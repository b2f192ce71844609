/**
 * Every failure a user can meet carries a stable code (for `--json` and the plugin's error table),
 * a message that names what is wrong, and a hint that says what to do next.
 */
export type ErrorCode =
  | "BAD_INPUT"
  | "AUTH_MISSING"
  | "AUTH_INVALID"
  | "FORBIDDEN"
  | "UNSAFE"
  | "REPO_NOT_FOUND"
  | "REVISION_NOT_FOUND"
  | "FILE_NOT_FOUND"
  | "RATE_LIMITED"
  | "NETWORK"
  | "SERVER"
  | "PROTOCOL"
  | "INTEGRITY"
  | "CANCELLED"
  | "NOT_CONFIRMED";

export class HubferryError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "HubferryError";
  }
}

/** Exit codes documented in README: 1 failure, 2 bad input/usage, 3 auth, 4 not found, 5 refused as unsafe (pickle, secrets), 130 cancelled. */
export function exitCodeFor(err: unknown): number {
  if (!(err instanceof HubferryError)) return 1;
  switch (err.code) {
    case "BAD_INPUT":
    case "NOT_CONFIRMED":
      return 2;
    case "AUTH_MISSING":
    case "AUTH_INVALID":
    case "FORBIDDEN":
      return 3;
    case "REPO_NOT_FOUND":
    case "REVISION_NOT_FOUND":
    case "FILE_NOT_FOUND":
      return 4;
    case "UNSAFE":
      return 5;
    case "CANCELLED":
      return 130;
    default:
      return 1;
  }
}

/** Removes anything token-shaped from a string before it is shown or logged. */
export function redact(text: string, secrets: (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("***");
  return out.replace(/\b(hf_[A-Za-z0-9]{6,}|ms-[A-Za-z0-9-]{6,})/g, (m) => `${m.slice(0, 3)}***`);
}
