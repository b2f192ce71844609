import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/main.js";
import { renderTree } from "../../src/cli/render/tree-view.js";
import { ECOSYSTEM } from "../../src/toolbox/ecosystem.js";
import { childEnvBase } from "../helpers/child-env.js";
import { CLI, PROJECT_ROOT } from "../helpers/local-hub.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * Start-up: --version, --help and `tree` answer from the commands' definitions alone. What they
 * print is checked against the command tree itself, from dist/ and from the bundle alike; which
 * modules they load is recorded by a module hook in the child, and no hub, transfer or server code
 * may be among them. (How fast is bench/startup-bench.mjs's job, not a test's.)
 */
const BUNDLE = join(PROJECT_ROOT, "bundle", "hubferry.mjs");
let tmp: Awaited<ReturnType<typeof tempDir>>;
let hook: string;

before(async () => {
  tmp = await tempDir("startup");
  // Runs in the loader thread: appends each module URL it is asked to load to the file given.
  await writeFile(
    join(tmp.path, "record-hooks.mjs"),
    [
      'import { appendFileSync } from "node:fs";',
      "let out;",
      "export function initialize(data) { out = data.out; }",
      'export async function load(url, context, next) { appendFileSync(out, url + "\\n"); return next(url, context); }',
      "",
    ].join("\n"),
  );
  hook = join(tmp.path, "record.mjs");
  await writeFile(
    hook,
    [
      'import { appendFileSync } from "node:fs";',
      'import { register, syncBuiltinESMExports } from "node:module";',
      'import vm from "node:vm";',
      "const out = process.env.HUBFERRY_TEST_MODULES;",
      'register("./record-hooks.mjs", import.meta.url, { data: { out } });',
      // The bundle compiles its whole CLI with vm.Script: each script compiled is recorded too.
      "const Script = vm.Script;",
      'vm.Script = class extends Script { constructor(code, opts) { super(code, opts); appendFileSync(out, "script:" + opts?.filename + "\\n"); } };',
      "syncBuiltinESMExports();",
      "",
    ].join("\n"),
  );
});
after(() => tmp?.cleanup());

function run(
  entry: string,
  args: string[],
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeArgs, entry, ...args],
      { env: { ...childEnvBase(), ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let recordings = 0;
/** The module URLs a run of the real CLI loaded, and its result. */
async function loadedBy(
  args: string[],
  entry = CLI,
): Promise<{ urls: string[]; code: number; stderr: string }> {
  const out = join(tmp.path, `modules-${++recordings}.txt`);
  await writeFile(out, "");
  const r = await run(entry, args, ["--import", pathToFileURL(hook).href], { HUBFERRY_TEST_MODULES: out });
  const urls = (await readFile(out, "utf8")).split("\n").filter(Boolean);
  return { urls, code: r.code, stderr: r.stderr };
}

const dist = pathToFileURL(join(PROJECT_ROOT, "dist")).href;
/** Code a command's definition must not need: the hubs, transfers, the server, and what they use. */
const HEAVY = [
  ...["transfer", "hubs", "server", "migrate", "runner", "caches", "pull", "push"].map(
    (d) => `${dist}/${d}/`,
  ),
  "/node_modules/zod/",
  "/node_modules/undici/",
];
const heavy = (urls: string[]) => urls.filter((u) => HEAVY.some((h) => u.includes(h)));

describe("start-up", () => {
  it("--version prints package.json's version, from dist/ and from the bundle", async () => {
    const { version } = JSON.parse(await readFile(join(PROJECT_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    for (const entry of [CLI, BUNDLE]) {
      for (const flag of ["--version", "-V"]) {
        const r = await run(entry, [flag]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, `${version}\n`, `${entry} ${flag}`);
      }
    }
  });

  it("--help lists every command with its description, and each command's help lists its options", async () => {
    const program = buildProgram();
    const top = await run(CLI, ["--help"]);
    assert.equal(top.code, 0, top.stderr);
    for (const c of program.commands) {
      assert.match(top.stdout, new RegExp(`^  ${c.name()}\\b`, "m"), `${c.name()} listed`);
      // Commander wraps long descriptions: compare the words, not the line breaks.
      const words = top.stdout.replace(/\s+/g, " ");
      assert.ok(words.includes(c.description().split(" ").slice(0, 6).join(" ")), `${c.name()} described`);
    }
    const check = async (cmd: Command, path: string[]) => {
      const r = await run(CLI, [...path, "--help"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Usage: hubferry ${path.join(" ")}\\b`), path.join(" "));
      for (const o of cmd.options)
        if (!o.hidden) assert.ok(r.stdout.includes(o.long ?? o.short!), `${path.join(" ")} ${o.flags}`);
      for (const sub of cmd.commands) await check(sub, [...path, sub.name()]);
    };
    const migrate = program.commands.find((c) => c.name() === "migrate")!;
    await check(migrate, ["migrate"]);
    await check(program.commands.find((c) => c.name() === "cache")!, ["cache"]);
    // The help text added after the options is there too (built from constants, not from the action).
    assert.match((await run(CLI, ["migrate", "--help"])).stdout, /--include\/--exclude patterns are /);
  });

  it("the bundle prints the same help and ecosystem map as dist/, byte for byte", async () => {
    for (const args of [
      ["--help"],
      ["migrate", "--help"],
      ["serve", "--help"],
      ["tree"],
      ["tree", "--json"],
    ]) {
      const [a, b] = await Promise.all([run(CLI, args), run(BUNDLE, args)]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.stdout, a.stdout, args.join(" "));
    }
  });

  it("tree without an id prints the ecosystem map", async () => {
    const r = await run(CLI, ["tree"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, renderTree(ECOSYSTEM));
    const j = await run(CLI, ["tree", "--json"]);
    assert.deepEqual(JSON.parse(j.stdout), ECOSYSTEM);
  });

  it("--version, --help, tree and a command's --help load no hub, transfer or server code", async () => {
    for (const args of [["--version"], ["--help"], ["tree"], ["migrate", "--help"], ["serve", "--help"]]) {
      const r = await loadedBy(args);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(
        r.urls.some((u) => u.endsWith("/dist/cli/main.js")),
        `the hook saw the CLI load (${args})`,
      );
      assert.deepEqual(heavy(r.urls), [], `hubferry ${args.join(" ")} loaded them`);
    }
  });

  it("a command that runs loads its code when it runs (the recording sees it)", async () => {
    // No source named: migrate's action loads, then refuses before any network.
    const r = await loadedBy(["migrate"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no source repo given/);
    assert.ok(
      heavy(r.urls).some((u) => u.includes(`${dist}/transfer/`)),
      "migrate loaded dist/transfer once it ran",
    );
  });

  it("the bundle answers them from its launcher, and hands a command that runs to the whole CLI", async () => {
    // scripts/bundle.mjs: the whole CLI is a string in the bundle, compiled (vm.Script) only when
    // an action is called; --version, --help and tree never compile it.
    const whole = (urls: string[]) =>
      urls.filter((u) => u.startsWith("script:") && u.endsWith("(whole CLI)"));
    for (const args of [["--version"], ["--help"], ["tree"], ["migrate", "--help"]]) {
      const r = await loadedBy(args, BUNDLE);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(
        r.urls.some((u) => u.endsWith("/bundle/hubferry.mjs")),
        `the hook saw the bundle load (${args})`,
      );
      assert.deepEqual(whole(r.urls), [], `hubferry ${args.join(" ")} loaded the whole CLI`);
    }
    const r = await loadedBy(["migrate"], BUNDLE);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no source repo given/);
    assert.equal(whole(r.urls).length, 1, "migrate ran in the whole CLI");
  });
});
