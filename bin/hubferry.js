#!/usr/bin/env node
// Launcher. From npm or a source checkout the CLI is in dist/ (built by `npm install`); in the
// Claude Code plugin, which ships no node_modules and no dist/, it is the single-file bundle.
import { existsSync } from "node:fs";

const built = new URL("../dist/cli/main.js", import.meta.url);
if (existsSync(built)) {
  const { main } = await import(built.href);
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`hubferry: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
} else {
  await import(new URL("../bundle/hubferry.mjs", import.meta.url).href);
}
