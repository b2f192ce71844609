// What `demo` does; loaded only when it runs (the definition, for --help, is demo-command.ts).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRepoRef } from "../core/repo-ref.js";
import { migrate } from "../migrate/migrate.js";
import { startLocalHub } from "../server/app.js";
import { UserTable } from "../server/auth/users.js";
import { seedSampleRepo } from "../server/sample.js";
import { reportError } from "./fail.js";
import { HumanRenderer } from "./render/human-renderer.js";
import { jsonRenderer } from "./render/json-renderer.js";

/**
 * The main job on the embedded default: two local hubs (one playing huggingface.co, one playing
 * modelscope.cn), a sample repo with small and LFS files on the first, and a real migration of it
 * to the second, with the progress and summary a user sees against the real hubs.
 */
export async function demoAction(flags: { json: boolean; weights: string }): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "hubferry-demo-"));
  const hfToken = `hf_${randomBytes(16).toString("hex")}`;
  const msToken = `ms-${randomBytes(16).toString("hex")}`;
  const users = new UserTable();
  users.addToken("demo", hfToken);
  users.addToken("demo", msToken);
  const hfHub = await startLocalHub({
    root: join(dir, "hf"),
    users,
    multipartThreshold: 32 * 1024 * 1024,
    multipartChunkSize: 8 * 1024 * 1024,
  });
  const msHub = await startLocalHub({ root: join(dir, "ms"), users });
  const human = flags.json ? undefined : new HumanRenderer();
  try {
    const mib = Number(flags.weights);
    if (!Number.isFinite(mib) || mib < 0 || mib > 4096)
      throw new Error("--weights must be a number of MiB from 0 to 4096");
    await seedSampleRepo(hfHub.hub, "hf", "demo", "sample-model", {
      weightsBytes: Math.floor(mib * 1024 * 1024),
    });
    const source = parseRepoRef("hf:demo/sample-model");
    const destination = parseRepoRef("ms:demo/sample-model");
    if (!flags.json) {
      process.stderr.write(
        [
          `local "Hugging Face" hub: ${hfHub.url}   local "ModelScope" hub: ${msHub.url}`,
          "running:  hubferry migrate hf:demo/sample-model ms:demo/sample-model --yes",
          "against the real hubs the same line needs only HF_TOKEN and MODELSCOPE_API_TOKEN set:",
          "          hubferry migrate hf:your-org/your-model ms:your-org/your-model",
          "",
        ].join("\n"),
      );
    }
    await migrate({
      source,
      destination,
      settings: {
        hfEndpoint: hfHub.url,
        msEndpoint: msHub.url,
        hfToken,
        msToken,
        hfTokenSource: "demo",
        msTokenSource: "demo",
      },
      events: flags.json ? jsonRenderer() : human!.handle,
    });
  } catch (err) {
    human?.stopBars();
    throw reportError(err, flags.json);
  } finally {
    await hfHub.close();
    await msHub.close();
    await rm(dir, { recursive: true, force: true });
  }
}
