import { cp } from "node:fs/promises";
import { join } from "node:path";
import { Command } from "commander";
import { folderTarget } from "../caches/folder-target.js";
import { hfHubCache } from "../caches/hf-cache-layout.js";
import { hfCacheTarget } from "../caches/hf-cache-target.js";
import { msCacheTarget, msHubCache } from "../caches/ms-cache-target.js";
import { HubferryError } from "../core/errors.js";
import { PATTERN_FORMS } from "../core/path-filter.js";
import type { RepoRef } from "../core/repo-ref.js";
import { hfOffline, offlineHfSnapshot } from "../pull/offline.js";
import { pull } from "../pull/pull.js";
import { hubOption, repoKind, toolboxHub, toolboxRef, useLocation } from "./toolbox-common.js";
import { optionalWholeNumber } from "./whole-number.js";
import { withEvents } from "./with-events.js";

interface PullFlags {
  hub?: string;
  repoType?: string;
  revision?: string;
  output?: string;
  cacheDir?: string;
  include: string[];
  exclude: string[];
  allowUnsafe: boolean;
  quantization?: string;
  split?: string;
  offline: boolean;
  dryRun: boolean;
  concurrency?: string;
  json: boolean;
}

function cacheDirFor(ref: RepoRef, flags: PullFlags): string {
  return flags.cacheDir ?? (ref.hub === "hf" ? hfHubCache() : msHubCache());
}

/** Offline: serve the cached revision (and copy it out with --output); never touch the network. */
async function pullOffline(ref: RepoRef, paths: string[], flags: PullFlags): Promise<string> {
  if (ref.hub !== "hf")
    throw new HubferryError(
      "BAD_INPUT",
      "offline pulls read the Hugging Face cache; ModelScope repos are read from their own cache by modelscope",
      "drop --offline for ms: repos",
    );
  const snap = await offlineHfSnapshot(cacheDirFor(ref, flags), ref, flags.revision ?? "main", paths);
  if (!flags.output) return snap.path;
  const wanted = paths.length ? paths : snap.files;
  for (const p of wanted) await cp(join(snap.path, p), join(flags.output, p), { dereference: true });
  return flags.output;
}

export function pullCommand(): Command {
  const collect = (v: string, acc: string[]) => [...acc, v];
  return new Command("pull")
    .description(
      "download a model, dataset or space into the Hugging Face cache (ModelScope repos: the ModelScope cache), or --output DIR; safe formats only unless --allow-unsafe",
    )
    .argument("<kind>", "model, dataset, space, or files (then: ID PATH...)")
    .argument("<id>", "owner/name, hf:owner/name, ms:owner/name or a URL")
    .argument("[paths...]", "with `files`: the paths to fetch")
    .addOption(hubOption())
    .option("--repo-type <type>", "with `files`: model, dataset or space (default: model)")
    .option("--revision <rev>", "branch, tag or commit (default: the default branch)")
    .option("--output <dir>", "a plain folder instead of the cache")
    .option("--cache-dir <dir>", "the cache to use (default: HF_HUB_CACHE / HF_HOME, or MODELSCOPE_CACHE)")
    .option("--include <glob>", "only paths matching (repeatable)", collect, [] as string[])
    .option("--exclude <glob>", "skip paths matching (repeatable)", collect, [] as string[])
    .addHelpText("after", `\n--include/--exclude patterns are ${PATTERN_FORMS}.`)
    .option(
      "--allow-unsafe",
      "also fetch pickle-based files (.bin, .pt, .pkl, ...): only if you trust the publisher",
      false,
    )
    .option("--quantization <q>", "GGUF repos: the quantisation to fetch, e.g. Q4_K_M")
    .option("--split <split>", "datasets: only this split's data files, e.g. train")
    .option("--offline", "serve from the cache only (also: HF_HUB_OFFLINE=1)", false)
    .option("--dry-run", "say what would be fetched, fetch nothing", false)
    .option("--concurrency <n>", "files downloaded at the same time (default 4)")
    .option("--json", "one JSON event per line on stdout", false)
    .action((kindArg: string, id: string, paths: string[], flags: PullFlags) =>
      withEvents(
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
          const kind = filesMode
            ? flags.repoType
              ? repoKind(flags.repoType)
              : undefined
            : repoKind(kindArg);
          const ref = toolboxRef(kind, id, flags.hub);
          useLocation(ref, id, flags, paths.length === 0);
          if (flags.offline || (ref.hub === "hf" && hfOffline())) {
            const path = await pullOffline(ref, paths, flags);
            if (flags.json) process.stdout.write(`${JSON.stringify({ event: "offline", path })}\n`);
            else process.stdout.write(`${path}\n`);
            return;
          }
          const hub = toolboxHub(ref.hub, events);
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
      ),
    );
}
