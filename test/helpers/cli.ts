import { spawn } from "node:child_process";
import { childEnvBase } from "./child-env.js";
import { CLI } from "./local-hub.js";

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  events: Record<string, unknown>[];
}

/** Runs the real `hubferry` CLI as a child process with only the given environment. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  opts: {
    timeoutMs?: number;
    /** `kill` sends SIGKILL unless told another signal (SIGINT is Ctrl-C). */
    onEvent?: (e: Record<string, unknown>, kill: (signal?: NodeJS.Signals) => void) => void;
    /** Written to stdin, then closed (stdin is closed at once without it). */
    input?: string;
  } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...childEnvBase(), ...env },
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    let stdout = "";
    let stderr = "";
    let pending = "";
    const events: Record<string, unknown>[] = [];
    const kill = (signal: NodeJS.Signals = "SIGKILL") => child.kill(signal);
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d;
      pending += d;
      let nl = pending.indexOf("\n");
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        nl = pending.indexOf("\n");
        if (!line.startsWith("{")) continue;
        try {
          const e = JSON.parse(line) as Record<string, unknown>;
          events.push(e);
          opts.onEvent?.(e, kill);
        } catch {
          // not an event line
        }
      }
    });
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hubferry ${args.join(" ")} timed out\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, events });
    });
  });
}

export function eventsOf(run: CliRun, name: string): Record<string, unknown>[] {
  return run.events.filter((e) => e.event === name);
}
