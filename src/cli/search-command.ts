import { Command, Option } from "commander";
import type { SearchSort } from "../hubs/hub.js";
import { cacheOptions } from "./cache-options.js";
import { hubOption } from "./hub-option.js";

export interface SearchFlags {
  hub?: "hf" | "ms";
  task?: string;
  library?: string;
  language?: string;
  size?: string;
  sdk?: string;
  author?: string;
  sort?: SearchSort;
  limit?: string;
  json: boolean;
  maxAge?: string;
  offline: boolean;
}

export function searchCommand(): Command {
  const ages = cacheOptions("1m");
  return new Command("search")
    .description("search models, datasets or spaces on Hugging Face (default) or ModelScope")
    .argument("<kind>", "models, datasets or spaces")
    .argument("[query]", "words to look for in repo ids")
    .addOption(hubOption())
    .option("--task <task>", "pipeline task, e.g. text-generation (datasets: task category)")
    .option("--library <library>", "library, e.g. transformers, gguf")
    .option("--language <code>", "language code, e.g. en")
    .option("--size <category>", "datasets: size category, e.g. 1K<n<10K or n>1T")
    .option("--sdk <sdk>", "spaces: gradio, streamlit, docker or static")
    .option("--author <owner>", "only repos of this user or organisation")
    .addOption(new Option("--sort <key>", "order by").choices(["downloads", "likes", "updated", "created"]))
    .option("--limit <n>", "at most this many results (default 20)")
    .addOption(ages[0]!)
    .addOption(ages[1]!)
    .option("--json", "print the results as a JSON array", false)
    .action(async (kindArg: string, text: string | undefined, flags: SearchFlags) =>
      (await import("./search-action.js")).searchAction(kindArg, text, flags),
    );
}
