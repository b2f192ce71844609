#!/usr/bin/env node
// Runs every test file (test/**/*.test.ts) with Node's own test runner, TypeScript through tsx,
// under c8 so that line and branch coverage of src/ is measured and its table printed (.c8rc.json).
// Coverage also counts the child processes the tests start (the real CLI and local hubs from dist/,
// mapped back to src/ through source maps), since NODE_V8_COVERAGE is passed down to them.
// Node 20 has no glob in `node --test`, so the files are listed here. Extra args are passed on
// (e.g. `npm test -- --test-name-pattern=resolve`); a path argument narrows the files;
// `--no-coverage` runs without c8 (narrowed runs skip the table: coverage of a part means little).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function find(dir, suffix) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return find(full, suffix);
    return name.endsWith(suffix) ? [full] : [];
  });
}

const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith("--"));
const noCoverage = args.includes("--no-coverage") || (filters.length > 0 && !args.includes("--coverage"));
const flags = args.filter((a) => a.startsWith("--") && a !== "--no-coverage" && a !== "--coverage");
let files = find(join(root, "test"), ".test.ts").sort();
if (filters.length) files = files.filter((f) => filters.some((p) => relative(root, f).includes(p)));
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
/**
 * Modules with no code at run time (interfaces and types only: tsc emits an empty `export {}`) are
 * no part of coverage; c8's `all` would list every one of their lines as never run.
 */
function typeOnlyModules() {
  return find(join(root, "dist"), ".js").filter((file) => {
    const code = readFileSync(file, "utf8")
      .replace(/\/\/.*$/gm, "")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .trim();
    return code === "export {};" || code === "";
  });
}

// Failures are also written apart and repeated last, after the coverage table.
const failuresFile = join(root, "coverage", "failures.txt");
mkdirSync(join(root, "coverage"), { recursive: true });
rmSync(failuresFile, { force: true });
const nodeTest = [
  "--import",
  "tsx",
  "--test",
  "--test-reporter=spec",
  "--test-reporter-destination=stdout",
  `--test-reporter=${join(root, "scripts", "failures-reporter.mjs")}`,
  `--test-reporter-destination=${failuresFile}`,
  ...flags,
  ...files,
];
const c8 = join(root, "node_modules", "c8", "bin", "c8.js");
const excludes = noCoverage
  ? []
  : typeOnlyModules().flatMap((js) => {
      const rel = relative(join(root, "dist"), js);
      return ["--exclude", `dist/${rel}`, "--exclude", `src/${rel.replace(/\.js$/, ".ts")}`];
    });
const argv = noCoverage ? nodeTest : [c8, "--clean", ...excludes, process.execPath, ...nodeTest];
const r = spawnSync(process.execPath, argv, { stdio: "inherit", cwd: root });
const failures = existsSync(failuresFile) ? readFileSync(failuresFile, "utf8") : "";
if (failures) console.error(`\nfailing tests, with their errors:\n\n${failures}`);
if (r.status !== 0 || noCoverage || filters.length > 0) process.exit(r.status ?? 1);
// The whole suite ran under c8: hold src/ to the coverage floor.
const check = spawnSync(process.execPath, [join(root, "scripts", "check-coverage.mjs")], {
  stdio: "inherit",
  cwd: root,
});
process.exit(check.status ?? 1);
