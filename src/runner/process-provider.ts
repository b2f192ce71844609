import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SandboxProvider, SandboxRun, SandboxSpec } from "./sandbox-provider.js";
import { sandboxTimeout, splitLines } from "./sandbox-provider.js";

/**
 * The sandbox stand-in used by tests (and by anyone who wants the isolation without Modal): the
 * very same bundle in a child process, in an empty scratch HOME, with only the secret environment
 * a sandbox would get. No token or setting of this process leaks into it.
 */
export class ProcessProvider implements SandboxProvider {
  readonly name = "process" as const;

  async start(spec: SandboxSpec): Promise<SandboxRun> {
    const home = await mkdtemp(join(tmpdir(), "hubferry-sandbox-"));
    const script = join(home, "hubferry.mjs");
    await writeFile(script, spec.bundle, { mode: 0o700 });
    const child = spawn(process.execPath, [script, ...spec.args], {
      cwd: home,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, LANG: "C.UTF-8", ...spec.secretEnv },
      stdio: ["pipe", "pipe", "pipe"],
    });
    // A worker killed before it read its order must not fail this process with EPIPE.
    child.stdin.on("error", () => {});
    child.stdin.end(spec.stdin ?? "");
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const exited = new Promise<number>((resolve) =>
      child.on("close", (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1))),
    );
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, spec.timeoutMs);
    const onAbort = () => child.kill("SIGTERM");
    spec.signal?.addEventListener("abort", onAbort, { once: true });
    // Ctrl-C before the worker started: the listener came too late to hear it.
    if (spec.signal?.aborted) onAbort();
    let ended = false;
    const terminate = async () => {
      if (!ended) {
        ended = true;
        clearTimeout(timer);
        spec.signal?.removeEventListener("abort", onAbort);
        if (child.exitCode === null) child.kill("SIGKILL");
        await exited;
        await rm(home, { recursive: true, force: true });
      }
    };
    return {
      lines: splitLines(child.stdout),
      wait: async () => {
        const code = await exited;
        if (timedOut) throw sandboxTimeout("process", spec.timeoutMs);
        return code;
      },
      stderr: async () => {
        await exited;
        return stderr;
      },
      terminate,
    };
  }
}
