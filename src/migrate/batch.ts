import pLimit from "p-limit";
import type { HubSettings } from "../core/config.js";
import { HubferryError } from "../core/errors.js";
import { compilePattern } from "../core/path-filter.js";
import { formatRef, type HubName, type RepoRef } from "../core/repo-ref.js";
import type { RepoType } from "../core/repo-type.js";
import type { TransferEvent } from "../transfer/events.js";
import type { ConvertSpec } from "./converted-source.js";
import { destinationElsewhere, hubFor } from "./hubs-from-settings.js";
import { migrate } from "./migrate.js";

export interface BatchRow {
  source: string;
  destination: string;
  status: "done" | "up-to-date" | "planned" | "failed";
  files: number;
  bytes: number;
  /** Destination files the source lacks, left in place, and how to remove them. */
  extra?: { count: number; hint: string };
  error?: { code: string; message: string };
}

export interface BatchOptions {
  /** Repos to move: either everything of `owner` on `hub`, or an explicit list. */
  source: { hub: HubName; owner: string } | { list: RepoRef[] };
  destHub: HubName;
  /** Destination owner; default: each repo's own owner. */
  destOwner?: string;
  types: RepoType[];
  include?: string[];
  exclude?: string[];
  jobs: number;
  settings: HubSettings;
  dryRun?: boolean;
  deleteExtra?: boolean;
  verb?: string;
  signal?: AbortSignal;
  events: (repo: string, e: TransferEvent) => void;
  /**
   * Runs one repo elsewhere (a sandbox per repo) instead of in this process; resolves with the
   * run's summary (or, for a dry run, nothing) and throws the run's error.
   */
  runRepo?: (source: RepoRef, destination: RepoRef, events: (e: TransferEvent) => void) => Promise<void>;
  /** --convert gguf:TYPE: each model arrives as a GGUF. */
  convert?: ConvertSpec;
}

/** The repos a batch covers, filtered by name. */
export async function batchRepos(opts: BatchOptions): Promise<RepoRef[]> {
  let refs: RepoRef[];
  if ("list" in opts.source) refs = opts.source.list;
  else {
    const { hub, owner } = opts.source;
    const h = hubFor(hub, opts.settings);
    refs = [];
    for (const type of opts.types) {
      if (hub === "ms" && type === "space") continue;
      for (const id of await h.listRepos(owner, type)) refs.push({ hub, type, id, typeKnown: true });
    }
  }
  // A pattern names repos by name or by owner/name, matched as --include/--exclude match paths.
  const anyOf = (globs: string[]) => {
    const res = globs.map(compilePattern);
    return (r: RepoRef) => res.some((re) => re.test(r.id.split("/")[1]!) || re.test(r.id));
  };
  const include = opts.include?.length ? anyOf(opts.include) : undefined;
  const exclude = opts.exclude?.length ? anyOf(opts.exclude) : undefined;
  return refs.filter((r) => (!include || include(r)) && !exclude?.(r));
}

/**
 * Migrates many repos with bounded parallelism. One failing repo does not stop the others; each
 * row says done, already up to date, or failed with why. A re-run finishes only what is missing.
 */
export async function migrateBatch(opts: BatchOptions): Promise<BatchRow[]> {
  const refs = await batchRepos(opts);
  if (refs.length === 0) {
    throw new HubferryError(
      "REPO_NOT_FOUND",
      "no repos to migrate: the owner has none this token can see (or the filters exclude them all)",
      "check the owner, --repo-type, --include/--exclude, or the token",
    );
  }
  const limit = pLimit(opts.jobs);
  const runRepo =
    opts.runRepo ??
    ((source: RepoRef, destination: RepoRef, events: (e: TransferEvent) => void) =>
      migrate({
        source,
        destination,
        settings: opts.settings,
        dryRun: opts.dryRun,
        deleteExtra: opts.deleteExtra,
        verb: opts.verb,
        signal: opts.signal,
        events,
        convert: opts.convert,
      }).then(() => undefined));
  return Promise.all(
    refs.map((source) =>
      limit(async (): Promise<BatchRow> => {
        const [owner, name] = source.id.split("/") as [string, string];
        const destination: RepoRef = {
          hub: opts.destHub,
          type: source.type,
          id: `${opts.destOwner ?? owner}/${name}`,
          typeKnown: true,
        };
        const label = formatRef(source);
        const row: BatchRow = {
          source: label,
          destination: formatRef(destination),
          status: "failed",
          files: 0,
          bytes: 0,
        };
        try {
          const sameServer =
            destination.hub === source.hub && !destinationElsewhere(source.hub, opts.settings);
          if (sameServer && destination.id.toLowerCase() === source.id.toLowerCase())
            throw new HubferryError("BAD_INPUT", "source and destination are the same repo");
          // The row is read off the run's own events, wherever the run happens.
          let plan: Extract<TransferEvent, { event: "plan" }> | undefined;
          let summary: Extract<TransferEvent, { event: "summary" }> | undefined;
          await runRepo(source, destination, (e) => {
            if (e.event === "plan") plan = e;
            if (e.event === "summary") summary = e;
            opts.events(label, e);
          });
          if (plan) row.destination = plan.destination;
          if (plan?.extra) row.extra = plan.extra;
          if (opts.dryRun) {
            row.files = plan?.copy.length ?? 0;
            row.bytes = plan?.bytes ?? 0;
            row.status = row.files === 0 ? "up-to-date" : "planned";
          } else {
            row.files = summary?.files ?? 0;
            row.bytes = summary?.bytes ?? 0;
            row.status = row.files === 0 && !summary?.deleted ? "up-to-date" : "done";
          }
        } catch (err) {
          if (opts.signal?.aborted) throw err;
          const e = err instanceof HubferryError ? err : new HubferryError("SERVER", (err as Error).message);
          row.error = { code: e.code, message: e.message };
        }
        return row;
      }),
    ),
  );
}
