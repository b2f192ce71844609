import { join } from "node:path";
import { Command, Option } from "commander";
import envPaths from "env-paths";
import { DEFAULT_MIRROR_TTL_SECONDS } from "../core/mirror-defaults.js";
import { SIZE_FORMS } from "./parse-size.js";
import type { MirrorFlags } from "./serve-mirror.js";

/** The hub's folder by default: computed from the environment, nothing is read or made here. */
export function defaultHubRoot(): string {
  return join(envPaths("hubferry", { suffix: "" }).data, "hub");
}
export interface ServeOptions extends MirrorFlags {
  root: string;
  host: string;
  port: string;
  token: string[];
  users?: string;
  sample: boolean;
  enableFaults: boolean;
  rateLimit?: string;
  lfsThreshold?: string;
  multipartThreshold?: string;
  multipartChunkSize?: string;
  treePageSize?: string;
  searchPageSize?: string;
  publicUrl?: string;
  maxObjectSize?: string;
  minFreeDisk?: string;
  uploadExpiry?: string;
  xetXorbSize?: string;
  /** commander's --no-xet */
  xet: boolean;
  accessLog?: string;
  sessionTtl?: string;
  json: boolean;
}

const many = (v: string, acc: string[]) => [...acc, v];

export function serveCommand(): Command {
  return new Command("serve")
    .description("run the local hub: the Hugging Face and ModelScope HTTP APIs over a folder")
    .option("--root <dir>", "folder holding the hub's repos and blobs", defaultHubRoot())
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0 = any free port)", "9800")
    .option(
      "--token <NAME=TOKEN>",
      "add a user with a token (repeatable; prefer --users to keep tokens off the command line)",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option("--users <file>", "YAML/JSON file of users, their tokens and orgs")
    .option("--sample", "create a sample model repo (local/hubferry-sample) if it is missing", false)
    .option("--enable-faults", "accept fault-injection rules on /_hubferry/faults (for tests)", false)
    .option(
      "--rate-limit <spec>",
      "enforce per-user request quotas per 5 minutes, e.g. api=1000,resolvers=5000",
    )
    .option(
      "--lfs-threshold <size>",
      `files at least this large are stored as LFS (default 10MB; sizes: ${SIZE_FORMS})`,
    )
    .option("--multipart-threshold <size>", "LFS uploads at least this large use multipart (default 64MB)")
    .option("--multipart-chunk-size <size>", "part size for multipart uploads (default 16MB)")
    .option("--tree-page-size <n>", "entries per page of tree listings (default 1000)")
    .option("--search-page-size <n>", "items per page of repo searches (default 1000)")
    .option("--public-url <url>", "scheme and host to put in absolute URLs (default: the request's Host)")
    .option("--max-object-size <size>", "largest file accepted for upload (default 500GiB)")
    .option(
      "--min-free-disk <size>",
      "refuse uploads that would leave less free disk than this (default 1GiB)",
    )
    .option(
      "--no-xet",
      "serve LFS only: no Xet downloads, and no Xet layout computed for each LFS file in the background",
    )
    .option(
      "--xet-xorb-size <size>",
      "largest Xet xorb served, serialized (default 64MiB, the spec's limit; smaller only for tests)",
    )
    .option("--upload-expiry <seconds>", "drop multipart uploads left untouched this long (default 3600)")
    .option(
      "--access-log <file>",
      "append one line per request to FILE (- for stdout); never a token, cookie or URL signature",
    )
    .option("--session-ttl <seconds>", "lifetime of a ModelScope login session cookie (default 30 days)")
    .option(
      "--mirror <FACE=URL>",
      "be a pull-through mirror of an upstream hub: hf=https://huggingface.co and/or ms=https://www.modelscope.cn (repeatable)",
      many,
      [] as string[],
    )
    .option(
      "--upstream-token <FACE=@FILE>",
      "the token the mirror reads private and gated upstream repos with, from FILE (repeatable; never the token itself)",
      many,
      [] as string[],
    )
    .option(
      "--offline",
      "with --mirror: never ask upstream; serve what the store has, 504 for the rest",
      false,
    )
    .option(
      "--mirror-ttl <seconds>",
      `with --mirror: how long a branch or tag stays pinned to the commit it named (default ${DEFAULT_MIRROR_TTL_SECONDS})`,
    )
    .option(
      "--mirror-max-size <size>",
      "with --mirror: prune mirrored files, least recently used first, past this size (local repos are never pruned)",
    )
    .option(
      "--local-namespace <ns>",
      "with --mirror: a namespace kept local (users' and orgs' own always are; repeatable)",
      many,
      [] as string[],
    )
    .addOption(
      new Option("--json", "print one JSON line when ready instead of the human banner").default(false),
    )
    .action(async (opts: ServeOptions) => (await import("./serve-action.js")).serveAction(opts));
}
