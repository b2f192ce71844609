// What `cache ls`, `cache prune` and `cache clear` do; loaded only when one runs (the definitions,
// for --help, are in cache-command.ts): scanning the caches is never part of start-up.
import confirm from "@inquirer/confirm";
import { applyPrune, type PruneResult, planPrune, removeCachedRepo } from "../caches/cache-prune.js";
import { type CachedRepo, scanCaches } from "../caches/cache-scan.js";
import { hfHubCache } from "../caches/hf-cache-layout.js";
import { msHubCache } from "../caches/ms-cache-layout.js";
import { HubferryError } from "../core/errors.js";
import { parseRepoRef, wholeRepo } from "../core/repo-ref.js";
import type { CacheFlags } from "./cache-command.js";
import { reportError } from "./fail.js";
import { parseSize } from "./parse-size.js";
import { formatBytes } from "./render/format.js";
import { renderTable } from "./render/table.js";

function dirsFor(flags: CacheFlags): { hf?: string; ms?: string } {
  if (flags.cacheDir) return flags.hub === "ms" ? { ms: flags.cacheDir } : { hf: flags.cacheDir };
  return {
    ...(flags.hub !== "ms" ? { hf: hfHubCache() } : {}),
    ...(flags.hub !== "hf" ? { ms: msHubCache() } : {}),
  };
}

const label = (r: CachedRepo) => `${r.hub}:${r.type === "model" ? "" : `${r.type}s/`}${r.id}`;

function ago(ms: number): string {
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 60) return "just now";
  for (const [n, unit] of [
    [86400 * 30, "month"],
    [86400, "day"],
    [3600, "hour"],
    [60, "minute"],
  ] as const)
    if (s >= n) return `${Math.floor(s / n)} ${unit}${Math.floor(s / n) > 1 ? "s" : ""} ago`;
  return "just now";
}

const json = (r: CachedRepo) => ({
  repo: label(r),
  hub: r.hub,
  type: r.type,
  id: r.id,
  path: r.path,
  bytes: r.bytes,
  files: r.files,
  lastAccessed: new Date(r.lastAccessed).toISOString(),
  refs: r.refs,
  partials: r.partials,
  busy: r.busy,
});
export async function cacheLs(flags: CacheFlags): Promise<void> {
  try {
    const repos = await scanCaches(dirsFor(flags));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(repos.map(json))}\n`);
      return;
    }
    if (!repos.length) {
      process.stdout.write("the caches are empty\n");
      return;
    }
    process.stdout.write(
      renderTable(
        ["repo", "size", "files", "last accessed", "refs", ""],
        repos.map((r) => [
          label(r),
          formatBytes(r.bytes),
          r.files,
          ago(r.lastAccessed),
          Object.keys(r.refs).join(", "),
          r.busy ? "in use" : r.partials ? `${r.partials} partial` : "",
        ]),
        [1, 2],
      ),
    );
    const total = repos.reduce((n, r) => n + r.bytes, 0);
    process.stdout.write(`${repos.length} repo(s), ${formatBytes(total)}\n`);
  } catch (err) {
    throw reportError(err, flags.json);
  }
}

export async function cachePrune(flags: CacheFlags & { maxSize: string; dryRun: boolean }): Promise<void> {
  try {
    const max = parseSize("--max-size", flags.maxSize);
    const res = planPrune(await scanCaches(dirsFor(flags)), max);
    if (!flags.json) printPrunePlan(res, max, flags.dryRun);
    if (!flags.dryRun) await applyPrune(res);
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({
          removed: res.removed.map(json),
          kept: res.kept.map(json),
          busy: res.busy.map(json),
          bytesBefore: res.bytesBefore,
          bytesAfter: res.bytesAfter,
          maxBytes: max,
          dryRun: flags.dryRun,
        })}\n`,
      );
      return;
    }
    if (res.removed.length > 0)
      process.stdout.write(
        `${flags.dryRun ? "would remove" : "removed"} ${res.removed.length} repo(s): ${formatBytes(res.bytesBefore)} → ${formatBytes(res.bytesAfter)}\n`,
      );
  } catch (err) {
    throw reportError(err, flags.json);
  }
}

export async function cacheClear(
  id: string | undefined,
  flags: CacheFlags & { yes: boolean },
): Promise<void> {
  try {
    let repos = await scanCaches(dirsFor(flags));
    if (id) {
      const ref = wholeRepo(parseRepoRef(id, { defaultHub: flags.hub ?? "hf" }), id, "cache clear");
      repos = repos.filter(
        (r) => r.hub === ref.hub && r.id === ref.id && (!ref.typeKnown || r.type === ref.type),
      );
      if (!repos.length)
        throw new HubferryError("FILE_NOT_FOUND", `${id} is not in the cache`, "see `hubferry cache ls`");
    } else if (!flags.yes) {
      if (!process.stdin.isTTY || flags.json)
        throw new HubferryError(
          "NOT_CONFIRMED",
          "clearing every cached repo needs confirmation",
          "pass --yes",
        );
      const total = repos.reduce((n, r) => n + r.bytes, 0);
      if (
        !(await confirm({
          message: `Remove all ${repos.length} cached repos (${formatBytes(total)})?`,
          default: false,
        }))
      )
        throw new HubferryError("NOT_CONFIRMED", "nothing was removed");
    }
    const removed: CachedRepo[] = [];
    const busy: CachedRepo[] = [];
    for (const r of repos) {
      if (r.busy) busy.push(r);
      else {
        await removeCachedRepo(r);
        removed.push(r);
      }
    }
    if (flags.json)
      process.stdout.write(`${JSON.stringify({ removed: removed.map(json), busy: busy.map(json) })}\n`);
    else {
      for (const r of removed) process.stdout.write(`removed ${label(r)} (${formatBytes(r.bytes)})\n`);
      for (const r of busy) process.stdout.write(`kept ${label(r)}: a pull is using it\n`);
    }
  } catch (err) {
    throw reportError(err, flags.json);
  }
}

/** Says what a prune will remove and what it keeps, before anything is removed. */
function printPrunePlan(res: PruneResult, max: number, dryRun: boolean): void {
  const out = process.stdout;
  if (res.removed.length === 0 && res.busy.length === 0) {
    out.write(
      `the caches hold ${formatBytes(res.bytesBefore)} in ${res.kept.length} repo(s), within --max-size ${formatBytes(max)}: nothing to remove\n`,
    );
    return;
  }
  for (const r of res.removed)
    out.write(`${dryRun ? "would remove" : "will remove"} ${label(r)} (${formatBytes(r.bytes)})\n`);
  for (const r of res.busy) out.write(`keeps ${label(r)}: a pull is using it\n`);
  const keptBytes = res.kept.reduce((n, r) => n + r.bytes, 0);
  out.write(
    `keeps ${res.kept.length} repo(s), ${formatBytes(keptBytes)} (limit ${formatBytes(max)})${res.bytesAfter > max ? ": still over the limit, the rest is in use" : ""}\n`,
  );
}
