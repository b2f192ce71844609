#!/usr/bin/env node
// Installs the pinned official Python clients into project-local virtual environments
// (.venv/<name>), once per requirements file content. Re-running is a no-op when nothing changed.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const reqDir = join(root, "test", "interop", "python");
const python = process.env.HUBFERRY_PYTHON ?? "python3";

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"] });
  if (r.error)
    throw new Error(
      `${cmd} could not start: ${r.error.message}. Install Python 3.9+ (or set HUBFERRY_PYTHON).`,
    );
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed with exit code ${r.status}`);
}

for (const file of readdirSync(reqDir)
  .filter((f) => /^requirements-.+\.txt$/.test(f))
  .sort()) {
  const name = file.replace(/^requirements-|\.txt$/g, "");
  const venv = join(root, ".venv", name);
  const reqPath = join(reqDir, file);
  const digest = createHash("sha256").update(readFileSync(reqPath)).digest("hex");
  const stamp = join(venv, ".hubferry-stamp");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === digest) continue;
  console.log(`setting up the ${name} client venv (.venv/${name}) ...`);
  run(python, ["-m", "venv", "--clear", venv]);
  const pip = join(venv, "bin", "pip");
  run(pip, ["install", "--quiet", "--disable-pip-version-check", "-r", reqPath]);
  writeFileSync(stamp, digest);
}
