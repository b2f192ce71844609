// A bench's scratch folder under the system temp dir, removed at the end and on Ctrl-C / SIGTERM
// (after every child the bench started is stopped), so an interrupted run leaves nothing behind.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopAll } from "./children.mjs";

export async function scratchDir(prefix, log) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  let cleaning;
  const cleanup = () => {
    cleaning ??= (async () => {
      await stopAll();
      await rm(dir, { recursive: true, force: true });
    })();
    return cleaning;
  };
  for (const sig of ["SIGINT", "SIGTERM"])
    process.once(sig, () => {
      log(`${sig}: stopping what the bench started and removing ${dir}`);
      void cleanup().then(() => process.exit(130));
    });
  return { dir, cleanup };
}
