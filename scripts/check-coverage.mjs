#!/usr/bin/env node
// The coverage floor npm test holds src/ to (from the Hugging Face integration spec the project
// follows): at least 90% of lines over src/ as a whole, and in every file of the hub backends
// (src/hubs/) and of the transfer engine (src/transfer/). Reads c8's json-summary.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const FLOOR = 90;
const STRICT_DIRS = ["src/hubs/", "src/transfer/"];

const summary = JSON.parse(readFileSync(join(root, "coverage", "coverage-summary.json"), "utf8"));
const failures = [];
const total = summary.total.lines.pct;
if (total < FLOOR) failures.push(`src/ as a whole: ${total}% of lines`);
for (const [file, data] of Object.entries(summary)) {
  if (file === "total") continue;
  const rel = relative(root, file);
  if (STRICT_DIRS.some((d) => rel.startsWith(d)) && data.lines.pct < FLOOR)
    failures.push(`${rel}: ${data.lines.pct}% of lines`);
}
if (failures.length) {
  console.error(`coverage below ${FLOOR}% of lines:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
console.log(
  `coverage: ${total}% of lines over src/; every file of ${STRICT_DIRS.join(" and ")} at ${FLOOR}% or more`,
);
