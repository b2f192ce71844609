import { HubferryError } from "../core/errors.js";

/**
 * Where the transfer engine runs when it does not run in this process: a sandbox that receives
 * the single-file bundle, the tokens as secret environment only, and a command line; its stdout
 * carries the same JSON events a local run prints.
 */
export interface SandboxSpec {
  /** The single-file CLI (bundle/hubferry.mjs), written into the sandbox as a file. */
  bundle: string;
  /** Arguments after `node hubferry.mjs`. Never contains a token. */
  args: string[];
  /** Tokens and endpoints: delivered as a secret, never in argv or the bundle. */
  secretEnv: Record<string, string>;
  /** Written to the command's stdin, which is then closed (a sharded worker's work order). */
  stdin?: string;
  timeoutMs: number;
  region?: string;
  cpu?: number;
  memoryMiB?: number;
  signal?: AbortSignal;
}

export interface SandboxRun {
  /** Stdout, one line at a time. */
  lines: AsyncIterable<string>;
  /** Resolves with the exit code once the command has ended. */
  wait(): Promise<number>;
  /** All of stderr (read while the command runs). */
  stderr(): Promise<string>;
  /** Ends the sandbox; safe to call more than once. */
  terminate(): Promise<void>;
}

export interface SandboxProvider {
  readonly name: "modal" | "process";
  start(spec: SandboxSpec): Promise<SandboxRun>;
}

/** What a run that reached its --timeout reports, whichever runner ran it. */
export function sandboxTimeout(runner: string, timeoutMs: number): HubferryError {
  return new HubferryError(
    "SERVER",
    `the ${runner} sandbox reached its time limit (--timeout ${Math.round(timeoutMs / 1000)}s) and was stopped; nothing half-committed`,
    "re-run with a longer --timeout (e.g. --timeout 2h); files already committed are kept and are not sent again",
  );
}

/** Splits a stream of text chunks (which do not respect line ends) into lines. */
export async function* splitLines(chunks: AsyncIterable<string | Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of chunks) {
    pending += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      yield pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      nl = pending.indexOf("\n");
    }
  }
  if (pending) yield pending;
}
