import { Command, Option } from "commander";
import type { SearchQuery, SearchSort } from "../hubs/hub.js";
import { reportError } from "./fail.js";
import { compactNumber, renderTable } from "./render/table.js";
import { hubOption, repoKind, toolboxHub } from "./toolbox-common.js";
import { optionalWholeNumber } from "./whole-number.js";

interface SearchFlags {
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
}

export function searchCommand(): Command {
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
    .option("--json", "print the results as a JSON array", false)
    .action(async (kindArg: string, text: string | undefined, flags: SearchFlags) => {
      try {
        const type = repoKind(kindArg, true);
        const hub = toolboxHub(flags.hub ?? "hf");
        const query: SearchQuery = {
          type,
          text,
          author: flags.author,
          task: flags.task,
          library: flags.library,
          language: flags.language,
          size: flags.size,
          sdk: flags.sdk,
          sort: flags.sort,
          limit: optionalWholeNumber("--limit", flags.limit, 1, 1000) ?? 20,
        };
        const hits = await hub.search(query);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(hits.map((h) => ({ hub: hub.name, ...h })))}\n`);
          return;
        }
        if (hits.length === 0) {
          process.stdout.write(`no ${type}s found on ${hub.name}${text ? ` for "${text}"` : ""}\n`);
          return;
        }
        process.stdout.write(
          renderTable(
            ["id", "downloads", "likes", "updated", type === "space" ? "" : "task"],
            hits.map((h) => [
              `${hub.name}:${type === "model" ? "" : `${type}s/`}${h.id}${h.private ? " (private)" : ""}`,
              compactNumber(h.downloads),
              compactNumber(h.likes),
              h.updated?.slice(0, 10) ?? "-",
              h.task ?? "",
            ]),
            [1, 2],
          ),
        );
      } catch (err) {
        throw reportError(err, flags.json);
      }
    });
}
