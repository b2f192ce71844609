import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { childEnvBase } from "./child-env.js";
import { PROJECT_ROOT } from "./local-hub.js";

export const PY_DIR = join(PROJECT_ROOT, "test", "interop", "python");

export function venvBin(venv: string, tool: string): string {
  const bin = join(PROJECT_ROOT, ".venv", venv, "bin", tool);
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run setup\` (npm test does it first)`);
  return bin;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program with a clean, explicit environment (no inherited tokens or endpoints). */
export function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  opts: { cwd?: string; timeoutMs?: number; inheritEnv?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: {
        ...(opts.inheritEnv ? process.env : {}),
        ...childEnvBase(),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd} ${args.join(" ")} timed out\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Runs `test/interop/python/<script>` with the given venv and returns the JSON it prints last.
 * Scripts report `{"ok": false, "error": <class name>, ...}` for expected exceptions.
 */
export async function runPython<T = Record<string, unknown>>(
  venv: string,
  script: string,
  args: unknown,
  env: Record<string, string>,
): Promise<T> {
  const r = await run(venvBin(venv, "python"), [join(PY_DIR, script), JSON.stringify(args)], env);
  const last = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(
      `${script} exited ${r.code} without a JSON result.\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
    );
  }
}

/** The environment huggingface_hub gets in tests: this hub, a scratch HF_HOME, no Xet, no noise. */
export function hfClientEnv(endpoint: string, hfHome: string, token: string | null): Record<string, string> {
  const e: Record<string, string> = {
    HF_ENDPOINT: endpoint,
    HF_HOME: hfHome,
    HF_HUB_DISABLE_XET: "1",
    HF_HUB_DISABLE_UPDATE_CHECK: "1",
    HF_HUB_DISABLE_TELEMETRY: "1",
    HF_HUB_DISABLE_PROGRESS_BARS: "1",
  };
  if (token) e.HF_TOKEN = token;
  return e;
}

/** Like `hfClientEnv` but with Xet left on: hf_xet (installed in the venv) downloads through the hub's CAS. */
export function hfXetClientEnv(
  endpoint: string,
  hfHome: string,
  token: string | null,
): Record<string, string> {
  const { HF_HUB_DISABLE_XET: _off, ...e } = hfClientEnv(endpoint, hfHome, token);
  return e;
}
