#!/usr/bin/env node
// Runs every test file (test/**/*.test.ts) with Node's own test runner, TypeScript through tsx,
// under c8 so that line and branch coverage of src/ is measured and its table printed (.c8rc.json).
// Coverage also counts the child processes the tests start (the real CLI and local hubs from dist/,
// mapped back to src/ through source maps), since NODE_V8_COVERAGE is passed down to them.
// Node 20 has no glob in `node --test`, so the files are listed here. Extra args are passed on
// (e.g. `npm test -- --test-name-pattern=resolve`); a path argument narrows the files;
// `--no-coverage` runs without c8 (narrowed runs skip the table: coverage of a part means little).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return find(full);
    return name.endsWith(".test.ts") ? [full] : [];
  });
}

const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith("--"));
const noCoverage = args.includes("--no-coverage") || filters.length > 0;
const flags = args.filter((a) => a.startsWith("--") && a !== "--no-coverage");
let files = find(join(root, "test")).sort();
if (filters.length) files = files.filter((f) => filters.some((p) => relative(root, f).includes(p)));
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
const nodeTest = ["--import", "tsx", "--test", "--test-reporter=spec", ...flags, ...files];
const c8 = join(root, "node_modules", "c8", "bin", "c8.js");
const argv = noCoverage ? nodeTest : [c8, "--clean", process.execPath, ...nodeTest];
const r = spawnSync(process.execPath, argv, { stdio: "inherit", cwd: root });
process.exit(r.status ?? 1);
