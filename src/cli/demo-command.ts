import { Command } from "commander";

export function demoCommand(): Command {
  return new Command("demo")
    .description("migrate a sample repo between two local hubs (no account, no network)")
    .option("--json", "one JSON event per line on stdout", false)
    .option("--weights <MiB>", "size of the sample's LFS weights file", "96")
    .action(async (flags: { json: boolean; weights: string }) =>
      (await import("./demo-action.js")).demoAction(flags),
    );
}
