import { Command, Option } from "commander";
import { PATTERN_FORMS } from "../core/path-filter.js";
import { hubOption } from "./hub-option.js";

export interface PullFlags {
  hub?: string;
  repoType?: string;
  revision?: string;
  output?: string;
  cacheDir?: string;
  include: string[];
  exclude: string[];
  allowUnsafe: boolean;
  quantization?: string;
  format?: string;
  split?: string;
  offline: boolean;
  maxAge?: string;
  dryRun: boolean;
  concurrency?: string;
  json: boolean;
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
    .addOption(
      new Option(
        "--format <format>",
        "gguf: the repo's GGUF of --quantization (default Q4_K_M) if it has one, else its safetensors converted to it while downloading (needs --output DIR)",
      ).choices(["gguf"]),
    )
    .option("--split <split>", "datasets: only this split's data files, e.g. train")
    .option("--offline", "serve from the cache only (also: HF_HUB_OFFLINE=1 for hf)", false)
    .option(
      "--max-age <duration>",
      "trust a cached answer to which commit the branch is at for this long (default 0: always ask)",
    )
    .option("--dry-run", "say what would be fetched, fetch nothing", false)
    .option("--concurrency <n>", "files downloaded at the same time (default 4)")
    .option("--json", "one JSON event per line on stdout", false)
    .action(async (kindArg: string, id: string, paths: string[], flags: PullFlags) =>
      (await import("./pull-action.js")).pullAction(kindArg, id, paths, flags),
    );
}
