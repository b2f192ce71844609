import { mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { TsProtoServiceDefinition } from "nice-grpc";

/**
 * The SDK's own ts-proto service definitions (`modal.client.ModalClient` and
 * `modal.task_command_router.TaskCommandRouter`), so the control plane encodes and decodes exactly
 * the messages the pinned SDK does. modal 0.11.1 bundles them but does not export them: a copy of
 * its dist/index.js with one more export line is loaded from a scratch folder whose node_modules
 * points at ours (so its own imports resolve to the very same packages).
 */
export type ServiceDefinition = TsProtoServiceDefinition & { name: string; fullName: string };
export interface SdkDefinitions {
  control: ServiceDefinition;
  router: ServiceDefinition;
}

const require = createRequire(import.meta.url);

/** The optional `modal` package's dist folder, or undefined when it is not installed. */
export function modalSdkPath(): string | undefined {
  try {
    // Its exports map hides package.json; the CommonJS entry sits next to index.js in dist/.
    return dirname(require.resolve("modal"));
  } catch {
    return undefined;
  }
}

let loaded: Promise<SdkDefinitions> | undefined;

export function loadDefinitions(): Promise<SdkDefinitions> {
  loaded ??= (async () => {
    const dist = modalSdkPath();
    if (!dist) throw new Error("the optional modal package is not installed");
    const code = await readFile(join(dist, "index.js"), "utf8");
    const dir = await mkdtemp(join(tmpdir(), "hubferry-modal-defs-"));
    // dist is node_modules/modal/dist: two up is the node_modules the SDK's imports use.
    await symlink(dirname(dirname(dist)), join(dir, "node_modules"), "dir");
    const file = join(dir, "sdk.mjs");
    await writeFile(
      file,
      `${code}\nexport { ModalClientDefinition as __control, TaskCommandRouterDefinition as __router };\n`,
    );
    const mod = (await import(pathToFileURL(file).href)) as {
      __control: ServiceDefinition;
      __router: ServiceDefinition;
    };
    return { control: mod.__control, router: mod.__router };
  })();
  return loaded;
}
