// A second test reporter: writes each failing test (file, name, error) as one block, so that
// run-tests.mjs can repeat them after the coverage table, where a CI log's tail will show them.
import { inspect } from "node:util";

export default async function* failuresReporter(source) {
  for await (const event of source) {
    if (event.type !== "test:fail") continue;
    const { name, file, line, details } = event.data;
    // Suites fail when a test inside them does; their own block would only repeat the name.
    if (details?.type === "suite") continue;
    const error = details?.error?.cause ?? details?.error;
    const where = file ? `${file}${line ? `:${line}` : ""}` : "";
    yield `✖ ${name}\n  ${where}\n${inspect(error, { depth: 4 })
      .split("\n")
      .slice(0, 40)
      .map((l) => `    ${l}`)
      .join("\n")}\n\n`;
  }
}
