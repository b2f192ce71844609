import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/main.js";
import { PROJECT_ROOT } from "../helpers/local-hub.js";

/**
 * Every hint names what exists: each `--flag` and each `hubferry <command>` written in a message
 * anywhere in src/ is a flag or a command of the real CLI (push once said "pass --yes", which it
 * did not take). Read off the command tree commander builds, not a list kept by hand.
 */
function walk(cmd: Command, path: string[], out: { flags: Set<string>; commands: Set<string> }): void {
  for (const o of cmd.options) if (o.long) out.flags.add(o.long);
  for (const sub of cmd.commands) {
    out.commands.add([...path, sub.name()].join(" "));
    walk(sub, [...path, sub.name()], out);
  }
}

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

describe("hints", () => {
  it("name only flags and commands the CLI has", async () => {
    const cli = { flags: new Set(["--help", "--version"]), commands: new Set<string>() };
    walk(buildProgram(), [], cli);
    // The walk reaches nested commands and their flags.
    assert.ok(cli.commands.has("cache prune") && cli.flags.has("--max-size") && cli.flags.has("--delete"));
    const unknown: string[] = [];
    for (const file of await sources(join(PROJECT_ROOT, "src"))) {
      const text = await readFile(file, "utf8");
      const rel = relative(PROJECT_ROOT, file);
      // String literals only: "...", '...' and `...` (comments and code are not hints).
      for (const m of text.matchAll(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g)) {
        const literal = m[0].slice(1, -1);
        // The local hub answers the official clients (`hf upload --create-pr`): its flags are theirs.
        const speaksToOfficialClients = rel.startsWith(join("src", "server"));
        for (const f of literal.matchAll(/(?<![\w-])--[a-z][a-z-]*[a-z]/g))
          if (!speaksToOfficialClients && !cli.flags.has(f[0]))
            unknown.push(`${rel}: ${f[0]} in ${literal.slice(0, 80)}`);
        for (const c of literal.matchAll(/\\?`hubferry ([a-z]+)(?: ([a-z]+))?/g)) {
          const two = `${c[1]} ${c[2] ?? ""}`.trim();
          if (!cli.commands.has(c[1]!) && !cli.commands.has(two))
            unknown.push(`${rel}: hubferry ${two} in ${literal.slice(0, 80)}`);
        }
      }
    }
    assert.deepEqual(unknown, []);
  });
});
