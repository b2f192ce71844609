// A batch of migrate/sync (--all, --list, an owner as source): the repos it names, and its table.
import { readFile } from "node:fs/promises";
import { HubferryError } from "../core/errors.js";
import { type HubName, parseRepoRef, type RepoRef, wholeRepo } from "../core/repo-ref.js";
import { isRepoType, type RepoType } from "../core/repo-type.js";
import { type BatchOptions, migrateBatch } from "../migrate/batch.js";
import { destinationElsewhere, hubFor } from "../migrate/hubs-from-settings.js";
import { parseConvertSpec } from "./convert-spec.js";
import { ExitCode } from "./exit-code.js";
import type { BatchFlags } from "./migrate-command.js";
import { extraText, formatBytes } from "./render/format.js";
import { other } from "./resolve-refs.js";
import { transferSettings } from "./transfer-settings.js";
import { optionalWholeNumber } from "./whole-number.js";

/** The repos of a `--list` file; a line that is not one is named as FILE:LINE. */
function listRefs(
  file: string,
  text: string,
  to: HubName | undefined,
  type: RepoType | undefined,
): RepoRef[] {
  const refs: RepoRef[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    try {
      refs.push(
        wholeRepo(
          parseRepoRef(line, { defaultHub: to ? other(to) : undefined, type }),
          line,
          "a --list line",
        ),
      );
    } catch (err) {
      if (!(err instanceof HubferryError)) throw err;
      throw new HubferryError("BAD_INPUT", `${file}:${i + 1}: ${err.message}`, err.hint);
    }
  });
  return refs;
}

const OWNER_RE = /^(hf|ms):([A-Za-z0-9][A-Za-z0-9._-]*)$/;

/** A batch is asked for by --all, --list, or a source that names only an owner (`hf:SomeOrg`). */
export async function batchFrom(
  sourceArg: string | undefined,
  destArg: string | undefined,
  flags: BatchFlags,
): Promise<BatchOptions | undefined> {
  const owner = sourceArg ? OWNER_RE.exec(sourceArg) : null;
  if (!flags.all && !flags.list && !owner) return undefined;
  if (flags.repoType && !isRepoType(flags.repoType))
    throw new HubferryError(
      "BAD_INPUT",
      `--repo-type must be model, dataset or space, not "${flags.repoType}"`,
    );
  const settings = transferSettings(flags);
  const convert = parseConvertSpec(flags.convert);
  if (convert && flags.repoType && flags.repoType !== "model")
    throw new HubferryError("BAD_INPUT", "--convert makes GGUFs of models", "drop --repo-type or use model");
  // A converting batch takes the owner's models only: datasets and spaces have no weights to convert.
  const types: RepoType[] = flags.repoType
    ? [flags.repoType as RepoType]
    : convert
      ? ["model"]
      : ["model", "dataset", "space"];
  let source: BatchOptions["source"];
  let srcHub: HubName;
  if (flags.list) {
    let text: string;
    try {
      text = await readFile(flags.list, "utf8");
    } catch (err) {
      throw new HubferryError(
        "BAD_INPUT",
        `cannot read --list ${flags.list}: ${(err as Error).message}`,
        "give a file with one repo per line (hf:Org/name, URLs, or bare ids with --to)",
      );
    }
    const to = flags.to as HubName | undefined;
    const list = listRefs(flags.list, text, to, flags.repoType as RepoType | undefined);
    if (list.length === 0) throw new HubferryError("BAD_INPUT", `--list ${flags.list} names no repo`);
    srcHub = list[0]!.hub;
    if (list.some((r) => r.hub !== srcHub))
      throw new HubferryError("BAD_INPUT", "every repo in --list must be on the same hub");
    source = { list };
  } else if (owner) {
    srcHub = owner[1] as HubName;
    source = { hub: srcHub, owner: owner[2]! };
  } else {
    const hubArg = (flags.to ? other(flags.to as HubName) : (sourceArg ?? "").replace(/:.*/, "")) as HubName;
    if (hubArg !== "hf" && hubArg !== "ms")
      throw new HubferryError(
        "BAD_INPUT",
        "--all needs the source hub: hubferry migrate hf: --all, or --to ms",
      );
    srcHub = hubArg;
    source = { hub: srcHub, owner: (await hubFor(srcHub, settings).whoami()).name };
  }
  // `migrate --list FILE ms:Org`: the list names the sources, so the one argument is where to.
  if (flags.list && sourceArg && destArg === undefined) destArg = sourceArg;
  else if (flags.list && sourceArg)
    throw new HubferryError(
      "BAD_INPUT",
      `--list names the source repos; "${sourceArg}" cannot be a source too`,
      "give only the destination owner: hubferry migrate --list FILE ms:OtherOrg",
    );
  const destText = flags.dest ?? destArg;
  let destOwner: string | undefined;
  let destHub = other(srcHub);
  if (destText) {
    const d = OWNER_RE.exec(destText) ?? /^()([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(destText);
    if (!d)
      throw new HubferryError(
        "BAD_INPUT",
        `in a batch the destination is an owner (ms:OtherOrg), not "${destText}"`,
      );
    if (d[1]) destHub = d[1] as HubName;
    destOwner = d[2];
  }
  // On one server a batch needs another owner: each repo would otherwise be its own destination.
  const sameOwner =
    !destOwner || ("owner" in source && source.owner.toLowerCase() === destOwner.toLowerCase());
  if (destHub === srcHub && sameOwner && !destinationElsewhere(destHub, settings))
    throw new HubferryError(
      "BAD_INPUT",
      "a batch on one hub needs another owner for the copies",
      `name one (${srcHub}:OtherOrg), or send the batch to the other hub or to --dest-endpoint`,
    );
  return {
    source,
    destHub,
    destOwner,
    types,
    include: flags.include,
    exclude: flags.exclude,
    jobs: optionalWholeNumber("--jobs", flags.jobs, 1, 64) ?? 2,
    settings,
    dryRun: flags.dryRun,
    events: () => {},
    convert,
  };
}

export async function runBatch(
  batch: BatchOptions,
  flags: BatchFlags,
  extra: { deleteExtra: boolean; verb: string; signal: AbortSignal },
): Promise<void> {
  const rows = await migrateBatch({
    ...batch,
    ...extra,
    events: (repo, e) => {
      if (flags.json) process.stdout.write(`${JSON.stringify({ ...e, repo })}\n`);
      else if (e.event === "summary")
        process.stderr.write(
          `  ${repo}: ${e.files} file(s), ${formatBytes(e.bytes)} → ${e.destinationUrl}\n`,
        );
    },
  });
  if (flags.json) process.stdout.write(`${JSON.stringify({ event: "batch", repos: rows })}\n`);
  else {
    const w = Math.max(...rows.map((r) => r.source.length), 6);
    const lines = rows.map(
      (r) =>
        `${r.source.padEnd(w)}  ${r.status.padEnd(10)}  ${r.status === "failed" ? `${r.error?.code}: ${r.error?.message}` : `${r.files} file(s), ${formatBytes(r.bytes)} → ${r.destination}${r.extra ? `; ${extraText(r.extra)}` : ""}`}`,
    );
    process.stdout.write(`${"source".padEnd(w)}  status      detail\n${lines.join("\n")}\n`);
    const failed = rows.filter((r) => r.status === "failed").length;
    process.stdout.write(`${rows.length} repo(s): ${rows.length - failed} ok, ${failed} failed\n`);
  }
  if (rows.some((r) => r.status === "failed")) throw new ExitCode(1);
}
