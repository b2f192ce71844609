#!/usr/bin/env node
// Builds bundle/hubferry.mjs: the whole CLI in one file, dependencies inlined, for the Claude Code
// plugin (whose install has no node_modules). `--check` rebuilds in memory and fails if the
// committed bundle differs from the sources, so CI keeps it current. `--out FILE` writes elsewhere.
//
// Two stages in the one file, so that --version, --help and `tree` start fast from it too: V8
// compiles a module's whole text before running any of it, and the whole CLI (zod and undici are
// 60% of it) costs ~40 ms to compile even though esbuild keeps each module's top level lazy.
//   1. the launcher, the ES module node runs: main.ts and every command's definition (commander,
//      the help text, the ecosystem map), with each `*-action.js` replaced by a hand-over;
//   2. the whole CLI, as a string in the launcher: the first action called compiles and runs it
//      (vm.Script), and it runs main() itself on the same argv; the launcher's own parse then never
//      settles, and the process ends when the whole CLI is done. A command that runs pays ~20 ms
//      for the launcher on top (bench/results/startup.md); a data: URL import of the same code cost
//      ~110 ms more, vm.compileFunction ~50 ms more.
// The whole CLI, run from a string, has no file nor module loader of its own: require(), its file's
// URL (run-in-sandbox.ts sends the bundle into sandboxes) and import("modal") are the launcher's.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
const outArg = process.argv.indexOf("--out");
const out = outArg > 0 ? process.argv[outArg + 1] : `${root}bundle/hubferry.mjs`;
const common = {
  entryPoints: [`${root}src/cli/bundle-entry.ts`],
  bundle: true,
  platform: "node",
  format: "esm",
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

/** Replaces each of `count` occurrences of `what`; fails the build when the count is not that. */
function replaceExactly(code, what, by, count) {
  const parts = code.split(what);
  if (parts.length - 1 !== count)
    throw new Error(`bundle: expected ${count} of ${what} in the whole CLI, found ${parts.length - 1}`);
  return parts.join(by);
}

// Stage 2, the whole CLI, as the body of a function the launcher compiles: strict, as the ES
// module it was; require, its file URL and import("modal") are parameters.
const whole = await build({
  ...common,
  format: "cjs",
  // No import() left: a function compiled by vm has no module loader of its own.
  supported: { "dynamic-import": false },
  define: { ...common.define, "import.meta.url": "__hubferry.url" },
});
const wholeCli = replaceExactly(
  `"use strict";${whole.outputFiles[0].text}`,
  'Promise.resolve().then(()=>__toESM(require("modal"),1))',
  "__hubferry.importModal()",
  1,
);
if (/\bimport\(|import\.meta/.test(wholeCli))
  throw new Error("bundle: the whole CLI still has import() or import.meta");

// Stage 1, the launcher: an action's module is a hand-over exporting the same names.
const handOver = {
  name: "hand-over",
  setup(b) {
    b.onResolve({ filter: /-action\.js$/ }, (args) => ({
      path: `${args.resolveDir}/${args.path.replace(/^\.\//, "").replace(/\.js$/, ".ts")}`,
      namespace: "hand-over",
    }));
    b.onLoad({ filter: /.*/, namespace: "hand-over" }, (args) => {
      const names = [...readFileSync(args.path, "utf8").matchAll(/^export (?:async )?function (\w+)/gm)].map(
        (m) => m[1],
      );
      if (names.length === 0) throw new Error(`bundle: ${args.path} exports no function`);
      return {
        contents: `import { handOver } from "hubferry:whole-cli";\n${names.map((n) => `export const ${n} = handOver;`).join("\n")}\n`,
        loader: "js",
      };
    });
    b.onResolve({ filter: /^hubferry:whole-cli$/ }, () => ({ path: "whole-cli", namespace: "whole-cli" }));
    b.onLoad({ filter: /.*/, namespace: "whole-cli" }, () => ({
      contents: `import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
const WHOLE_CLI = ${JSON.stringify(wholeCli)};
export async function handOver() {
  const module = { exports: {} };
  const hubferry = { url: import.meta.url, importModal: () => import("modal") };
  const run = new Script("(function (require, module, exports, __hubferry) {" + WHOLE_CLI + "\\n})", {
    filename: fileURLToPath(import.meta.url) + " (whole CLI)",
  }).runInThisContext();
  run(createRequire(import.meta.url), module, module.exports, hubferry);
  return new Promise(() => {});
}
`,
      loader: "js",
      resolveDir: `${root}src/cli`,
    }));
  },
};
const launcher = await build({
  ...common,
  plugins: [handOver],
  // CommonJS dependencies call require(); give the ES module one.
  banner: {
    js: `#!/usr/bin/env node\n// hubferry ${pkg.version}: single-file build (scripts/bundle.mjs). Do not edit.\nimport { createRequire as __hubferryCreateRequire } from "node:module";\nconst require = __hubferryCreateRequire(import.meta.url);`,
  },
});
const code = launcher.outputFiles[0].text;
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
