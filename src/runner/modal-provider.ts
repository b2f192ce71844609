import { HubferryError } from "../core/errors.js";
import type { SandboxProvider, SandboxRun, SandboxSpec } from "./sandbox-provider.js";
import { splitLines } from "./sandbox-provider.js";

type ModalModule = typeof import("modal");

const APP_NAME = "hubferry";
const IMAGE = "node:22-slim";
const REMOTE_BUNDLE = "/opt/hubferry/hubferry.mjs";

/** Loads the Modal SDK only when the Modal runner is used (it needs Node 22; the rest runs on 20). */
export async function loadModal(): Promise<ModalModule> {
  try {
    return await import("modal");
  } catch (err) {
    throw new HubferryError(
      "BAD_INPUT",
      `the Modal runner could not load the modal SDK: ${(err as Error).message}`,
      "install it (npm install modal@0.11.1) and use Node.js 22 or newer, or run with --runner local",
    );
  }
}

/**
 * Runs the bundle in an ephemeral Modal Sandbox: app `hubferry`, a stock Node image, the tokens as
 * a Modal secret (never in argv), the bundle written through the sandbox filesystem API, one exec
 * whose stdout is split into lines, and the sandbox terminated whatever happens.
 */
export class ModalProvider implements SandboxProvider {
  readonly name = "modal" as const;

  constructor(private readonly load: () => Promise<ModalModule> = loadModal) {}

  async start(spec: SandboxSpec): Promise<SandboxRun> {
    const modal = await this.load();
    const client = new modal.ModalClient();
    const app = await client.apps.fromName(APP_NAME, { createIfMissing: true });
    const image = client.images.fromRegistry(IMAGE);
    const secret = await client.secrets.fromObject(spec.secretEnv);
    const timeoutMs = Math.max(1000, Math.round(spec.timeoutMs / 1000) * 1000);
    const sb = await client.sandboxes.create(app, image, {
      timeoutMs,
      secrets: [secret],
      ...(spec.region ? { regions: [spec.region] } : {}),
      ...(spec.cpu ? { cpu: spec.cpu } : {}),
      ...(spec.memoryMiB ? { memoryMiB: spec.memoryMiB } : {}),
    });
    let terminated = false;
    const terminate = async () => {
      if (terminated) return;
      terminated = true;
      await sb.terminate();
    };
    const onAbort = () => void terminate();
    spec.signal?.addEventListener("abort", onAbort, { once: true });
    // Ctrl-C while the sandbox was being created: the listener came too late to hear it.
    if (spec.signal?.aborted) onAbort();
    try {
      await sb.filesystem.writeText(spec.bundle, REMOTE_BUNDLE);
      const proc = await sb.exec(["node", REMOTE_BUNDLE, ...spec.args], {
        stdout: "pipe",
        stderr: "pipe",
        mode: "text",
      });
      const stderr = proc.stderr.readText();
      return {
        lines: splitLines(proc.stdout as AsyncIterable<string>),
        wait: () => proc.wait(),
        stderr: () => stderr,
        terminate: async () => {
          spec.signal?.removeEventListener("abort", onAbort);
          await terminate();
        },
      };
    } catch (err) {
      await terminate();
      throw err;
    }
  }
}

/** Whether Modal credentials are configured (env, or the token file the modal CLI writes). */
export async function modalConfigured(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (env.MODAL_TOKEN_ID && env.MODAL_TOKEN_SECRET) return true;
  const { existsSync } = await import("node:fs");
  const { homedir } = await import("node:os");
  return existsSync(env.MODAL_CONFIG_PATH ?? `${homedir()}/.modal.toml`);
}

/**
 * Checks Modal credentials with a real authenticated call (the SDK has no whoami): looking up the
 * app hubferry uses, creating it if missing.
 */
export async function verifyModalCredentials(
  load: () => Promise<ModalModule> = loadModal,
): Promise<{ valid: boolean; problem?: string }> {
  try {
    const modal = await load();
    const client = new modal.ModalClient();
    await client.apps.fromName(APP_NAME, { createIfMissing: true });
    return { valid: true };
  } catch (err) {
    return {
      valid: false,
      problem:
        err instanceof HubferryError
          ? err.message
          : `Modal refused the credentials: ${(err as Error).message}`,
    };
  }
}
