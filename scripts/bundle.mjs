#!/usr/bin/env node
// Builds bundle/hubferry.mjs: the whole CLI in one file, dependencies inlined, for the Claude Code
// plugin (whose install has no node_modules). `--check` rebuilds in memory and fails if the
// committed bundle differs from the sources, so CI keeps it current.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
const out = `${root}bundle/hubferry.mjs`;
const result = await build({
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
  // CommonJS dependencies call require(); give the ES module one.
  banner: {
    js: `#!/usr/bin/env node\n// hubferry ${pkg.version}: single-file build (scripts/bundle.mjs). Do not edit.\nimport { createRequire as __hubferryCreateRequire } from "node:module";\nconst require = __hubferryCreateRequire(import.meta.url);`,
  },
  logLevel: "warning",
});
const code = result.outputFiles[0].text;
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
  mkdirSync(`${root}bundle`, { recursive: true });
  writeFileSync(out, code, { mode: 0o755 });
  console.log(`wrote bundle/hubferry.mjs (${(code.length / 1024).toFixed(0)} KiB)`);
}
