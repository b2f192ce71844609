import type { TransferEvent } from "../../transfer/events.js";
import { formatBytes } from "./format.js";

type ConvertPlan = Extract<TransferEvent, { event: "convert_plan" }>;

/** A conversion's plan for the terminal: what becomes what, and with --dry-run every tensor. */
export function convertPlanText(e: ConvertPlan): string {
  const counts = new Map<string, number>();
  for (const t of e.tensors) counts.set(t.type, (counts.get(t.type) ?? 0) + 1);
  const mix = [...counts].map(([type, n]) => `${n} ${type}`).join(", ");
  const lines = [
    `source:       ${e.source} (${e.hfArchitecture})`,
    `output:       ${e.output} (GGUF, ${e.architecture}, ${e.type}, ${formatBytes(e.bytes)})`,
    `tensors:      ${e.tensors.length} (${mix}); ${e.keys} metadata keys`,
  ];
  for (const w of e.warnings) lines.push(`warning:      ${w}`);
  if (e.dryRun) {
    const width = Math.max(...e.tensors.map((t) => t.name.length), 4);
    lines.push("", `${"name".padEnd(width)}  type   shape (ggml order)   bytes`);
    for (const t of e.tensors)
      lines.push(
        `${t.name.padEnd(width)}  ${t.type.padEnd(5)}  ${`[${t.shape.join(", ")}]`.padEnd(19)}  ${formatBytes(t.bytes)}`,
      );
    lines.push("", "dry run: nothing was read past the headers and nothing was written");
  }
  return `${lines.join("\n")}\n`;
}
