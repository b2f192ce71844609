// What `pull` does; loaded only when it runs (the definition, for --help, is pull-command.ts).
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { folderTarget } from "../caches/folder-target.js";
import { hfHubCache } from "../caches/hf-cache-layout.js";
import { hfCacheTarget } from "../caches/hf-cache-target.js";
import { msCacheTarget, msHubCache } from "../caches/ms-cache-target.js";
import { HubferryError } from "../core/errors.js";
import type { RepoRef } from "../core/repo-ref.js";
import { hfOffline, offlineHfSnapshot } from "../pull/offline.js";
import { pull } from "../pull/pull.js";
import type { PullFlags } from "./pull-command.js";
import { cachedToolboxHub, repoKind, toolboxRef, useLocation } from "./toolbox-common.js";
import { optionalWholeNumber } from "./whole-number.js";
import { withEvents } from "./with-events.js";

function cacheDirFor(ref: RepoRef, flags: PullFlags): string {
  return flags.cacheDir ?? (ref.hub === "hf" ? hfHubCache() : msHubCache());
}

/**
 * Offline on Hugging Face: serve the cached revision as huggingface_hub does (and copy it out with
 * --output); never touch the network. ModelScope goes through the engine with an offline metadata
 * cache instead: the listing it kept, and the files its cache already holds.
 */
async function pullOffline(ref: RepoRef, paths: string[], flags: PullFlags): Promise<string> {
  const snap = await offlineHfSnapshot(cacheDirFor(ref, flags), ref, flags.revision ?? "main", paths);
  if (!flags.output) return snap.path;
  const wanted = paths.length ? paths : snap.files;
  for (const p of wanted) await cp(join(snap.path, p), join(flags.output, p), { dereference: true });
  return flags.output;
}

export function pullAction(kindArg: string, id: string, paths: string[], flags: PullFlags): Promise<void> {
  return withEvents(
    flags.json,
    "cancelled: finished files are kept, partial ones resume on the next run",
    async ({ events, human, signal }) => {
      const filesMode = kindArg.toLowerCase() === "files";
      if (filesMode && paths.length === 0)
        throw new HubferryError(
          "BAD_INPUT",
          "pull files needs at least one PATH",
          "hubferry pull files ID config.json",
        );
      if (!filesMode && paths.length)
        throw new HubferryError(
          "BAD_INPUT",
          `unexpected arguments: ${paths.join(" ")}`,
          "to fetch chosen files use: hubferry pull files ID PATH...",
        );
      const kind = filesMode ? (flags.repoType ? repoKind(flags.repoType) : undefined) : repoKind(kindArg);
      const ref = toolboxRef(kind, id, flags.hub);
      useLocation(ref, id, flags, paths.length === 0);
      if (ref.hub === "hf" && (flags.offline || hfOffline())) {
        const path = await pullOffline(ref, paths, flags);
        if (flags.json) process.stdout.write(`${JSON.stringify({ event: "offline", path })}\n`);
        else process.stdout.write(`${path}\n`);
        return;
      }
      // A pull asks which commit a branch is at (unless --max-age says otherwise); what it learns
      // at that commit (the listing) is kept for good.
      const { hub } = await cachedToolboxHub(ref.hub, flags, { events, defaultMaxAgeMs: 0 });
      if (flags.format === "gguf") {
        if (filesMode || ref.type !== "model")
          throw new HubferryError(
            "BAD_INPUT",
            "--format gguf is for a model pull",
            "hubferry pull model ID --format gguf --output DIR",
          );
        const { pullConverting, wantedGguf } = await import("./pull-convert.js");
        const converted = await pullConverting(hub, ref, flags, { events, signal });
        if (converted) {
          if (!flags.json) process.stdout.write(`${converted}\n`);
          return;
        }
        flags.quantization = wantedGguf(flags);
      }
      const result = await pull({
        hub,
        ref,
        revision: flags.revision,
        target: (commit) =>
          flags.output
            ? folderTarget(flags.output)
            : ref.hub === "hf"
              ? hfCacheTarget(cacheDirFor(ref, flags), ref, commit)
              : msCacheTarget(cacheDirFor(ref, flags), ref, commit),
        select: {
          files: filesMode ? paths : undefined,
          include: flags.include,
          exclude: flags.exclude,
          allowUnsafe: flags.allowUnsafe,
          quantization: flags.quantization,
          split: flags.split,
        },
        events,
        signal,
        concurrency: optionalWholeNumber("--concurrency", flags.concurrency, 1, 64),
        dryRun: flags.dryRun,
      });
      if (!flags.json) {
        human?.finish();
        if (flags.dryRun) process.stderr.write("dry run: nothing was downloaded\n");
        process.stdout.write(`${result.path}\n`);
      }
    },
    { planTo: "stderr" },
  );
}
