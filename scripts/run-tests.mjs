#!/usr/bin/env node
// Runs every test file (test/**/*.test.ts) with Node's own test runner, TypeScript through tsx.
// Node 20 has no glob in `node --test`, so the files are listed here. Extra args are passed on
// (e.g. `npm test -- --test-name-pattern=resolve`); a path argument narrows the files.
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
const flags = args.filter((a) => a.startsWith("--"));
let files = find(join(root, "test")).sort();
if (filters.length) files = files.filter((f) => filters.some((p) => relative(root, f).includes(p)));
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", ...flags, ...files],
  {
    stdio: "inherit",
    cwd: root,
  },
);
process.exit(r.status ?? 1);
