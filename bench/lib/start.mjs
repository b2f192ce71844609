// What every bench does first: read its options (exit 2 naming the problem), answer --help, and
// refuse to run without the built dist/ it measures.
import { existsSync } from "node:fs";
import { join } from "node:path";

export function benchOptions(parseArgs, usage, npmScript) {
  const root = new URL("../..", import.meta.url).pathname;
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  if (!existsSync(join(root, "dist/index.js"))) {
    process.stderr.write(`dist/ is missing: run \`npm run build\` first (${npmScript} does).\n`);
    process.exit(2);
  }
  return opts;
}
