import assert from "node:assert/strict";
import { cp, mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import { buildProgram } from "../../src/cli/main.js";
import { PROJECT_ROOT, startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { run } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";

/** The Claude Code plugin and the npm package, checked as users get them. */
const read = (p: string) => readFile(join(PROJECT_ROOT, p), "utf8");

function frontMatter(text: string): Record<string, unknown> {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  assert.ok(m, "front matter present");
  return YAML.parse(m[1]!) as Record<string, unknown>;
}

async function docFiles(): Promise<string[]> {
  const skills = (await readdir(join(PROJECT_ROOT, "skills"))).map((d) => `skills/${d}/SKILL.md`);
  const commands = (await readdir(join(PROJECT_ROOT, "commands"))).map((f) => `commands/${f}`);
  return [...commands, ...skills];
}

/** Splits a documented command line into argv (plain words, or single/double-quoted strings). */
function argv(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

class Parsed extends Error {}

describe("the Claude Code plugin", () => {
  it("plugin.json and marketplace.json carry the required fields, at the package's version", async () => {
    const pkg = JSON.parse(await read("package.json")) as { version: string; license: string };
    const plugin = JSON.parse(await read(".claude-plugin/plugin.json")) as Record<string, unknown>;
    assert.match(String(plugin.name), /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    assert.equal(plugin.version, pkg.version);
    assert.equal(plugin.license, "MIT");
    assert.ok(String(plugin.description).length > 20);
    assert.ok(Array.isArray(plugin.keywords) && (plugin.keywords as unknown[]).length > 0);
    assert.ok((plugin.author as { name?: string }).name);
    const market = JSON.parse(await read(".claude-plugin/marketplace.json")) as {
      name: string;
      owner: { name: string };
      plugins: Record<string, unknown>[];
    };
    assert.ok(market.name && market.owner.name);
    assert.deepEqual(
      [market.plugins[0]!.name, market.plugins[0]!.source, market.plugins[0]!.version],
      [plugin.name, "./", pkg.version],
    );
  });

  it("the command and the skill have the front matter Claude Code needs; tools are limited to hubferry", async () => {
    const cmd = frontMatter(await read("commands/migrate.md"));
    assert.ok(cmd.description && cmd["argument-hint"]);
    assert.match(
      String(cmd["allowed-tools"]),
      /^Bash\(node \$\{CLAUDE_PLUGIN_ROOT\}\/bundle\/hubferry\.mjs:\*\), AskUserQuestion$/,
    );
    const skill = frontMatter(await read("skills/migrate/SKILL.md"));
    assert.equal(skill.name, "migrate");
    assert.match(String(skill.description), /This skill should be used when/);
    assert.match(String(skill.description), /to ModelScope/);
  });

  it("every hubferry command line in the plugin's docs is accepted by the real CLI parser", async () => {
    let count = 0;
    for (const file of await docFiles()) {
      const text = await read(file);
      for (const m of text.matchAll(/node \$\{CLAUDE_PLUGIN_ROOT\}\/bundle\/hubferry\.mjs ([^\n`]+)/g)) {
        const args = argv(m[1]!.trim());
        const program = buildProgram();
        program.hook("preAction", () => {
          throw new Parsed();
        });
        for (const c of program.commands)
          c.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
        program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
        try {
          await program.parseAsync(["node", "hubferry", ...args]);
          assert.fail(`${file}: "${m[1]}" ran no command`);
        } catch (err) {
          assert.ok(
            err instanceof Parsed,
            `${file}: "${m[1]}" is rejected by the CLI: ${(err as Error).message}`,
          );
        }
        count++;
      }
    }
    assert.ok(count >= 8, `found ${count} command lines`);
  });

  describe("the single-file bundle, from a copy with no node_modules anywhere above it", () => {
    let hf: TestHub;
    let ms: TestHub;
    let dir: { path: string; cleanup: () => Promise<void> };
    let plugin: string;
    before(async () => {
      [hf, ms] = await Promise.all([startTestHub(), startTestHub()]);
      dir = await tempDir("plugin");
      plugin = join(dir.path, "hubferry-plugin");
      for (const p of [".claude-plugin", "commands", "skills", "bundle", "bin"])
        await cp(join(PROJECT_ROOT, p), join(plugin, p), { recursive: true });
    });
    after(async () => {
      await Promise.all([hf?.stop(), ms?.stop()]);
      await dir?.cleanup();
    });
    const env = () => ({
      HOME: dir.path,
      HF_ENDPOINT: hf.url,
      MODELSCOPE_ENDPOINT: ms.url,
      HF_TOKEN: USERS.alice.token,
      MODELSCOPE_API_TOKEN: USERS.alice.msToken,
    });
    const bundle = () => join(plugin, "bundle", "hubferry.mjs");

    it("matches the sources (the committed build is current)", async () => {
      const r = await run(process.execPath, [join(PROJECT_ROOT, "scripts", "bundle.mjs"), "--check"], {});
      assert.equal(r.code, 0, r.stderr);
    });

    it("runs --version, auth check --json and a dry-run migrate against the local hubs", async () => {
      const pkg = JSON.parse(await read("package.json")) as { version: string };
      const version = await run(process.execPath, [bundle(), "--version"], env(), { cwd: plugin });
      assert.equal(version.stdout.trim(), pkg.version);
      // The plugin's bin/ launcher has no dist/ beside it and falls back to the bundle.
      const launcher = await run(process.execPath, [join(plugin, "bin", "hubferry.js"), "--version"], env(), {
        cwd: plugin,
      });
      assert.equal(launcher.stdout.trim(), pkg.version, launcher.stderr);
      const auth = await run(process.execPath, [bundle(), "auth", "check", "--json"], env(), { cwd: plugin });
      assert.equal(auth.code, 0, auth.stderr);
      assert.equal((JSON.parse(auth.stdout) as { ok: boolean }).ok, true);
      await fetch(`${hf.url}/api/repos/create`, {
        method: "POST",
        headers: { authorization: `Bearer ${USERS.alice.token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "plugin-demo" }),
      });
      const dry = await run(
        process.execPath,
        [bundle(), "migrate", "hf:alice/plugin-demo", "ms:alice/plugin-demo", "--dry-run", "--json"],
        env(),
        { cwd: plugin },
      );
      assert.equal(dry.code, 0, dry.stderr);
      const plan = JSON.parse(dry.stdout.split("\n")[0]!) as { event: string; copy: { path: string }[] };
      assert.equal(plan.event, "plan");
      assert.deepEqual(
        plan.copy.map((f) => f.path),
        [".gitattributes"],
      );
    });
  });
});

describe("the npm package", () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    dir = await tempDir("npm");
  });
  after(async () => {
    await dir?.cleanup();
  });

  it("npm pack, then npm install -g of the tarball on a clean prefix: the bin runs and the library imports", async () => {
    // npm keeps the machine's registry settings (CA, proxy) in its global config, whose default
    // path moves with --prefix: name it explicitly so the clean prefix installs like any other.
    const globalconfig = (
      await run("npm", ["config", "get", "globalconfig"], {}, { inheritEnv: true })
    ).stdout.trim();
    const npm = (args: string[], cwd?: string) =>
      run(
        "npm",
        [...args, "--globalconfig", globalconfig],
        {},
        { cwd, timeoutMs: 300_000, inheritEnv: true },
      );
    const pack = await npm(
      ["pack", "--ignore-scripts", "--pack-destination", dir.path, "--json"],
      PROJECT_ROOT,
    );
    assert.equal(pack.code, 0, pack.stderr);
    const info = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info[0]!.files.map((f) => f.path);
    assert.ok(
      files.includes("dist/index.d.ts") && files.includes("bin/hubferry.js") && files.includes("LICENSE"),
    );
    assert.ok(
      !files.some((f) => f.startsWith("test/") || f.startsWith("src/")),
      "no sources or tests in the package",
    );
    const prefix = join(dir.path, "prefix");
    await mkdir(prefix);
    // --offline: the dependencies come from npm's cache, filled by `npm run setup`
    // (scripts/setup-npm-cache.mjs) with exactly what this tarball resolves to;
    // the test touches no registry.
    const install = await npm([
      "install",
      "-g",
      "--offline",
      "--no-audit",
      "--no-fund",
      "--prefix",
      prefix,
      join(dir.path, info[0]!.filename),
    ]);
    assert.equal(install.code, 0, install.stderr);
    const version = await run(join(prefix, "bin", "hubferry"), ["--version"], { HOME: dir.path });
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
    const lib = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "const m = await import('hubferry'); console.log(typeof m.migrate, typeof m.startLocalHub)",
      ],
      { HOME: dir.path },
      { cwd: join(prefix, "lib") },
    );
    assert.equal(lib.stdout.trim(), "function function", lib.stderr);
  });
});
