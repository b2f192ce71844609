import { Option } from "commander";

/** `--max-age` and `--offline`, worded once for every command the metadata cache serves. */
export const cacheOptions = (defaultAge: string): Option[] => [
  new Option(
    "--max-age <duration>",
    `how old a cached answer may be: 0 asks the hub, or 90s, 10m, 2h, 7d (default: ${defaultAge})`,
  ),
  new Option(
    "--offline",
    "answer from the metadata cache only, never the network (also: HF_HUB_OFFLINE=1 for hf)",
  ).default(false),
];
