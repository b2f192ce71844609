#!/usr/bin/env node
// Fills npm's cache with what installing hubferry's own packed tarball resolves to, so that the
// packaging test (test/plugin) can then install that tarball with `--offline` and touch no registry.
//
// Why a set-up step: `npm install` from the lockfile caches only tarballs, but a global install of a
// tarball resolves its dependencies' ranges afresh, which needs their full metadata (packuments) and
// perhaps newer tarballs than the lockfile's. Only an install of the same tarball fetches exactly
// those, so this does one, online, into a throwaway prefix. With a warm cache it reaches no registry.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function npmRun(args) {
  const r = spawnSync(npm, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.error) throw new Error(`npm could not start: ${r.error.message}`);
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    throw new Error(`npm ${args[0]} failed (exit ${r.status}): the packaging test needs npm's cache filled`);
  }
  return r.stdout;
}

const scratch = mkdtempSync(join(tmpdir(), "hubferry-npm-cache-"));
try {
  const [packed] = JSON.parse(npmRun(["pack", "--ignore-scripts", "--json", "--pack-destination", scratch]));
  const prefix = join(scratch, "prefix");
  npmRun([
    "install",
    "-g",
    "--prefer-offline",
    "--ignore-scripts",
    "--no-audit",
    "--no-fund",
    "--prefix",
    prefix,
    join(scratch, packed.filename),
  ]);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
