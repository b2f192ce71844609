// `cache ls|prune|clear --metadata`: the metadata cache (repo info, listings, searches), apart from
// the file caches. Loaded only when one of them runs.
import { rm } from "node:fs/promises";
import { metadataRoot } from "../caches/metadata/metadata-dir.js";
import { metadataUsage, pruneMetadata } from "../caches/metadata/metadata-usage.js";
import { HubferryError } from "../core/errors.js";
import { reportError } from "./fail.js";
import { parseSize } from "./parse-size.js";
import { formatBytes } from "./render/format.js";
import { renderTable } from "./render/table.js";

export async function metadataLs(json: boolean): Promise<void> {
  try {
    const root = metadataRoot();
    const usage = await metadataUsage(root);
    if (json) {
      process.stdout.write(
        `${JSON.stringify(
          usage.map((u) => ({ ...u, newest: u.newest ? new Date(u.newest).toISOString() : undefined })),
        )}\n`,
      );
      return;
    }
    if (!usage.length) {
      process.stdout.write(`the metadata cache is empty (${root})\n`);
      return;
    }
    process.stdout.write(
      renderTable(
        ["endpoint", "entries", "size", "last written"],
        usage.map((u) => [
          u.endpoint,
          u.entries,
          formatBytes(u.bytes),
          u.newest ? new Date(u.newest).toISOString().slice(0, 19) : "-",
        ]),
        [1, 2],
      ),
    );
    process.stdout.write(`metadata cache: ${root}\n`);
  } catch (err) {
    throw reportError(err, json);
  }
}

export async function metadataPrune(flags: {
  maxSize: string;
  dryRun: boolean;
  json: boolean;
}): Promise<void> {
  try {
    const max = parseSize("--max-size", flags.maxSize);
    const res = await pruneMetadata(metadataRoot(), max, { dryRun: flags.dryRun });
    if (flags.json)
      process.stdout.write(`${JSON.stringify({ ...res, maxBytes: max, dryRun: flags.dryRun })}\n`);
    else
      process.stdout.write(
        `${flags.dryRun ? "would remove" : "removed"} ${res.removed} metadata entr${res.removed === 1 ? "y" : "ies"}: ${formatBytes(res.bytesBefore)} → ${formatBytes(res.bytesAfter)} (limit ${formatBytes(max)})\n`,
      );
  } catch (err) {
    throw reportError(err, flags.json);
  }
}

/** Everything in the metadata cache goes: it only ever saves requests, so no confirmation. */
export async function metadataClear(id: string | undefined, json: boolean): Promise<void> {
  try {
    if (id)
      throw new HubferryError(
        "BAD_INPUT",
        `cache clear --metadata clears the whole metadata cache, not one repo (${id})`,
        "drop the id; a repo's entries are refetched with --max-age 0",
      );
    const root = metadataRoot();
    const before = (await metadataUsage(root)).reduce((n, u) => n + u.entries, 0);
    await rm(root, { recursive: true, force: true });
    process.stdout.write(
      json ? `${JSON.stringify({ removed: before })}\n` : `removed ${before} metadata entries (${root})\n`,
    );
  } catch (err) {
    throw reportError(err, json);
  }
}
