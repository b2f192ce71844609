#!/usr/bin/env node
// Builds bundle/hubferry.mjs: the whole CLI in one file, dependencies inlined, for the Claude Code
// plugin (whose install has no node_modules). `--check` rebuilds in memory and fails if the
// committed bundle differs from the sources, so CI keeps it current. `--out FILE` writes elsewhere.
//
// Two stages in the one file, so that --version, --help and `tree` start fast from it too: V8
// compiles a module's whole text before running any of it, and the whole CLI (zod and undici are
// 60% of it) costs ~40 ms to compile even though esbuild keeps each module's top level lazy.
//   1. the launcher, the ES module node runs: main.ts and every command's definition (commander,
//      the help text, the ecosystem map); each `*-action.js` is a hand-over, and so is fail.js
//      (its settings pull in zod);
//   2. the whole CLI after it, each line a line comment, which V8 skips at scanning speed. The
//      first hand-over called reads it back from the file, compiles it (vm.Script) and calls its
//      main() on the same argv; the launcher exits with the code it returns. A command that runs
//      pays ~20 ms more than from a one-stage bundle (bench/results/startup.md). Measured and
//      dropped: the whole CLI as a string literal (the launcher then took ~20 ms to compile), or
//      imported from a data: URL (~110 ms more per run), or through vm.compileFunction (~50).
// The whole CLI, run from a comment, has no file nor module loader of its own: require(), its
// file's URL (run-in-sandbox.ts sends the bundle into sandboxes) and import("modal") are the
// launcher's, passed in; the build fails if any import() or import.meta is left in it.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
const outArg = process.argv.indexOf("--out");
const out = outArg > 0 ? process.argv[outArg + 1] : `${root}bundle/hubferry.mjs`;
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  write: false,
  legalComments: "none",
  minifyWhitespace: true,
  minifySyntax: true,
  define: { __HUBFERRY_VERSION__: JSON.stringify(pkg.version), __HUBFERRY_BUNDLE__: "true" },
  external: ["modal"],
  // The same bytes from any checkout: module paths (kept in the bundle as names) relative to the
  // project, not to the shell's folder, and node_modules as the project sees it even where it is a
  // symlink (a git worktree sharing another checkout's node_modules).
  absWorkingDir: root,
  preserveSymlinks: true,
  logLevel: "warning",
};
const WHOLE_MARK = "\n//# hubferry: the whole CLI, run by the launcher above when a command runs\n";

/** Replaces each of `count` occurrences of `what`; fails the build when the count is not that. */
function replaceExactly(code, what, by, count) {
  const parts = code.split(what);
  if (parts.length - 1 !== count)
    throw new Error(`bundle: expected ${count} of ${what} in the whole CLI, found ${parts.length - 1}`);
  return parts.join(by);
}

/** Stage 2: the body of a function the launcher compiles; strict, as the ES module it was. */
async function wholeCli() {
  const whole = await build({
    ...common,
    stdin: {
      contents: 'export { main } from "./main.js";\nexport { reportError } from "./fail.js";\n',
      resolveDir: `${root}src/cli`,
      sourcefile: "src/cli/bundle-whole.ts",
      loader: "ts",
    },
    format: "cjs",
    // No import() left: a function compiled by vm has no module loader of its own.
    supported: { "dynamic-import": false },
    define: { ...common.define, "import.meta.url": "__hubferry.url" },
  });
  const code = replaceExactly(
    `"use strict";${whole.outputFiles[0].text}`,
    'Promise.resolve().then(()=>__toESM(require("modal"),1))',
    "__hubferry.importModal()",
    1,
  );
  if (/\bimport\(|import\.meta/.test(code))
    throw new Error("bundle: the whole CLI still has import() or import.meta");
  // A line comment ends at any line terminator: only \n may be in it, or the rest would be code.
  if (/[\r\u2028\u2029]/.test(code))
    throw new Error("bundle: the whole CLI has a line terminator other than \\n");
  return code;
}

/** The launcher's module that finds, compiles and calls the whole CLI: once, when first needed. */
const WHOLE_LOADER = `import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
import { ExitCode } from "./exit-code.js";
let loaded;
function whole() {
  if (loaded) return loaded;
  const file = fileURLToPath(import.meta.url);
  const text = readFileSync(file, "utf8");
  const at = text.lastIndexOf(${JSON.stringify(WHOLE_MARK)});
  if (at < 0) throw new Error(file + " has lost the whole CLI after its launcher: rebuild it (npm run bundle)");
  const source = text.slice(at + ${WHOLE_MARK.length}).replace(/^\\/\\//gm, "");
  const run = new Script("(function (require, module, exports, __hubferry) {" + source + "\\n})", {
    filename: file + " (whole CLI)",
  }).runInThisContext();
  const module = { exports: {} };
  const hubferry = { url: import.meta.url, importModal: () => import("modal") };
  run(createRequire(import.meta.url), module, module.exports, hubferry);
  loaded = module.exports;
  return loaded;
}
/** An action of the launcher: the whole CLI runs the command line again, for real. */
export async function handOver() {
  throw new ExitCode(await whole().main(process.argv));
}
export function reportError(err, json) {
  return whole().reportError(err, json);
}
export { ExitCode };
`;

/** Stage 1's plugin: each action module exports its names as hand-overs; fail.js is the loader. */
const handOver = {
  name: "hand-over",
  setup(b) {
    // Paths relative to the checkout: they name modules in the bundle, which must come out the
    // same from every clone (`bundle.mjs --check`).
    b.onResolve({ filter: /^\.\/[a-z-]+-action\.js$/ }, (args) => ({
      path: relative(root, `${args.resolveDir}/${args.path.slice(2).replace(/\.js$/, ".ts")}`),
      namespace: "hand-over",
    }));
    b.onLoad({ filter: /.*/, namespace: "hand-over" }, (args) => {
      const names = [
        ...readFileSync(join(root, args.path), "utf8").matchAll(/^export (?:async )?function (\w+)/gm),
      ].map((m) => m[1]);
      if (names.length === 0) throw new Error(`bundle: ${args.path} exports no function`);
      return {
        contents: `import { handOver } from "./fail.js";\n${names.map((n) => `export const ${n} = handOver;`).join("\n")}\n`,
        loader: "js",
        resolveDir: `${root}src/cli`,
      };
    });
    b.onResolve({ filter: /^\.\/fail\.js$/ }, () => ({ path: "whole-loader", namespace: "whole-loader" }));
    b.onLoad({ filter: /.*/, namespace: "whole-loader" }, () => ({
      contents: WHOLE_LOADER,
      loader: "js",
      resolveDir: `${root}src/cli`,
    }));
  },
};

const launcher = await build({
  ...common,
  entryPoints: [`${root}src/cli/bundle-entry.ts`],
  format: "esm",
  plugins: [handOver],
  // CommonJS dependencies call require(); give the ES module one.
  banner: {
    js: `#!/usr/bin/env node\n// hubferry ${pkg.version}: single-file build (scripts/bundle.mjs). Do not edit.\nimport { createRequire as __hubferryCreateRequire } from "node:module";\nconst require = __hubferryCreateRequire(import.meta.url);`,
  },
});
const code = `${launcher.outputFiles[0].text}${WHOLE_MARK}${(await wholeCli()).replace(/^/gm, "//")}\n`;
if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(out, "utf8");
  } catch {}
  if (current !== code) {
    console.error("bundle/hubferry.mjs is out of date with the sources: run `npm run bundle` and commit it");
    process.exit(1);
  }
  console.log(`bundle/hubferry.mjs is current (${(code.length / 1024).toFixed(0)} KiB)`);
} else {
  mkdirSync(new URL(".", `file://${out}`).pathname, { recursive: true });
  writeFileSync(out, code, { mode: 0o755 });
  console.log(`wrote ${out.replace(root, "")} (${(code.length / 1024).toFixed(0)} KiB)`);
}
