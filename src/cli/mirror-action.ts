// What `mirror ls` and `mirror prune` do; loaded only when one runs (the definitions are in
// mirror-command.ts). They read the store's files directly, so a running server is left alone.
import { access } from "node:fs/promises";
import { join } from "node:path";
import { HubferryError } from "../core/errors.js";
import { type MirrorStore, mirrorUsage, pruneMirror } from "../server/mirror/mirror-store.js";
import { BlobStore } from "../server/store/blob-store.js";
import { RepoStore } from "../server/store/repo-store.js";
import { reportError } from "./fail.js";
import type { MirrorFlags } from "./mirror-command.js";
import { parseSize } from "./parse-size.js";
import { formatBytes } from "./render/format.js";
import { renderTable } from "./render/table.js";

async function openStore(root: string): Promise<MirrorStore> {
  try {
    await access(join(root, "HUBFERRY-STORE"));
  } catch {
    throw new HubferryError(
      "BAD_INPUT",
      `${root} is not a hubferry hub store`,
      "pass the folder `hubferry serve --root` uses (--root)",
    );
  }
  const repos = new RepoStore(root);
  await repos.init();
  return { repos, blobs: new BlobStore(root), mirror: undefined };
}

export async function mirrorLs(flags: MirrorFlags): Promise<void> {
  try {
    const usage = await mirrorUsage(await openStore(flags.root));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(usage)}\n`);
      return;
    }
    if (usage.repos.length === 0) {
      process.stdout.write("this store mirrors no repo yet\n");
      return;
    }
    const rows = usage.repos.map((r) => [
      `${r.face}:${r.type === "model" ? "" : `${r.type}s/`}${r.id}`,
      Object.entries(r.refs)
        .map(([name, sha]) => `${name}@${sha.slice(0, 8)}`)
        .join(" "),
      formatBytes(r.storedBytes),
      r.missingFiles,
      r.lastUsed ?? "-",
      r.upstream,
    ]);
    process.stdout.write(
      `${renderTable(["repo", "refs", "stored", "not fetched", "last used", "upstream"], rows, [2, 3])}\n`,
    );
    process.stdout.write(`prunable: ${formatBytes(usage.prunableBytes)} (bytes no local repo shares)\n`);
  } catch (err) {
    throw reportError(err, flags.json);
  }
}

export async function mirrorPrune(flags: MirrorFlags): Promise<void> {
  try {
    const max = parseSize("--max-size", flags.maxSize ?? "");
    const result = await pruneMirror(await openStore(flags.root), max, flags.dryRun);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ dryRun: flags.dryRun, ...result })}\n`);
      return;
    }
    const verb = flags.dryRun ? "would remove" : "removed";
    process.stdout.write(
      `${verb} ${result.removed.length} file(s), ${formatBytes(result.freedBytes)}; mirrored files now take ${formatBytes(result.keptBytes)}\n`,
    );
  } catch (err) {
    throw reportError(err, flags.json);
  }
}
