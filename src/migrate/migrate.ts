import { DEST_TOKEN_VAR, type HubSettings } from "../core/config.js";
import type { RepoRef } from "../core/repo-ref.js";
import type { EventSink } from "../transfer/events.js";
import type { ExecuteResult } from "../transfer/execute.js";
import type { Plan } from "../transfer/plan.js";
import { type ConvertSpec, convertedAs, convertingRepoSource } from "./converted-source.js";
import { destinationHubFor, httpEventsFor, hubFor } from "./hubs-from-settings.js";
import { type WorkOrder, workOrderFor } from "./work-order.js";
import { checkWriter, prepareDestination, writeRepo } from "./write-repo.js";

/** Where a worker of a sharded run is started, and how: the runner's business, not migrate's. */
export type StartWorker = (
  job: { source: RepoRef; destination: RepoRef; revision: string; order: WorkOrder },
  events: EventSink,
  signal: AbortSignal,
) => Promise<void>;

export interface MigrateOptions {
  source: RepoRef;
  destination: RepoRef;
  revision?: string;
  include?: string[];
  exclude?: string[];
  dryRun?: boolean;
  /** Delete destination files the source does not have (sync). */
  deleteExtra?: boolean;
  /** First word of commit messages: "Migrate" or "Sync". */
  verb?: string;
  /** Said in the plan: where this run happens. */
  runnerNote?: string;
  settings: HubSettings;
  events: EventSink;
  signal?: AbortSignal;
  /** Asked after the plan, before anything is written; false stops the run. */
  confirm?: (plan: Plan) => Promise<boolean>;
  concurrency?: number;
  batchFiles?: number;
  /** --license: the licence a created destination gets (else the source's). */
  license?: string;
  /** --sandboxes N: the files are dealt to `count` workers, which upload; this process commits. */
  workers?: { count: number; start: StartWorker };
  /** --convert: the destination gets the conversion (GGUF or safetensors, with a card), made on the fly. */
  convert?: ConvertSpec;
}

export interface MigrateResult {
  plan: Plan;
  result?: ExecuteResult;
  destinationUrl: string;
}

/**
 * Migrates one repo: checks the tokens it needs, plans against the destination's current files,
 * asks (if asked to), then streams every missing file from source to destination and verifies.
 */
export async function migrate(opts: MigrateOptions): Promise<MigrateResult> {
  const httpEvents = httpEventsFor(opts.events);
  const srcHub = hubFor(opts.source.hub, opts.settings, httpEvents);
  const destHub = destinationHubFor(opts.destination.hub, opts.settings, httpEvents);
  const notes: string[] = opts.runnerNote ? [opts.runnerNote] : [];
  if (destHub.endpoint !== srcHub.endpoint)
    notes.push(`the destination is on ${destHub.endpoint}, written with ${DEST_TOKEN_VAR}`);
  else if (opts.settings.destToken) notes.push(`the destination is written with ${DEST_TOKEN_VAR}`);

  // The destination token first: nothing is read before we know we could write.
  const me = await checkWriter(destHub);

  const source = { ...opts.source };
  if (!source.typeKnown) source.type = await srcHub.detectType(source);
  const pinned = await srcHub.source(source, opts.revision);
  const destination = {
    ...opts.destination,
    type: opts.destination.typeKnown ? opts.destination.type : source.type,
  };
  const src = opts.convert
    ? await convertingRepoSource(pinned, {
        spec: opts.convert,
        repoId: destination.id,
        baseModel: source.hub === "hf" ? source.id : undefined,
        dryRun: !!opts.dryRun,
        events: opts.events,
        signal: opts.signal,
      })
    : pinned;
  if (destination.hub === "ms" && destination.type === "space") {
    destination.type = "model";
    notes.push("a space goes to ModelScope as a model repo (ModelScope studios have no file API)");
  }
  const destExists = await prepareDestination(
    destHub,
    destination,
    me,
    notes,
    `${src.info.private ? "private" : "public"}, as the source`,
  );
  const sameHub = srcHub.name === destHub.name && srcHub.endpoint === destHub.endpoint;
  // The hub copies a whole repo itself when it can: same hub and endpoint, a new destination, the
  // whole default branch (a duplicate has no filters and no other revision).
  const onHub =
    !!destHub.duplicateRepo &&
    sameHub &&
    !destExists &&
    !opts.include?.length &&
    !opts.exclude?.length &&
    !opts.revision &&
    destination.type === source.type &&
    !opts.workers &&
    !opts.convert;
  if (onHub) {
    // The runner's own note would say the bytes stream through here: only if the hub refuses.
    const local = notes.findIndex((n) => n.startsWith("runs locally"));
    if (local >= 0)
      notes[local] =
        "runs locally: bytes would stream through this process only if the hub refused its own copy";
    notes.push(
      "the hub makes the copy itself (a server-side duplicate, history kept): no byte passes through hubferry; if it refuses, hubferry streams instead",
    );
  }
  return writeRepo(src, destHub, destination, destExists, {
    ...opts,
    notes,
    // Otherwise, on one hub, stored objects may still be copied by the hub rather than sent.
    copyFrom:
      sameHub && !opts.workers && !opts.convert ? { ref: source, files: () => src.list() } : undefined,
    serverCopy: onHub
      ? (signal) => destHub.duplicateRepo!(source, destination, { private: src.info.private }, signal)
      : undefined,
    extraHint: opts.deleteExtra
      ? ""
      : opts.verb === "Sync"
        ? "sync --delete removes them"
        : "they stay; hubferry sync --delete makes the destination equal to the source",
    workers: opts.workers && {
      count: opts.workers.count,
      launch: (share, events, signal) =>
        opts.workers!.start(
          { source, destination, revision: src.revision, order: workOrderFor(share.worker, share.files) },
          events,
          signal,
        ),
    },
    private: src.info.private,
    sdk: src.info.sdk,
    license: opts.license ?? src.info.license,
    commitMessage: (i, n) =>
      `${opts.convert ? `Convert to ${convertedAs(opts.convert)}` : (opts.verb ?? "Migrate")} from ${src.label.split("@")[0]} at ${src.revision.slice(0, 12)} with hubferry${n > 1 ? ` (batch ${i}/${n})` : ""}`,
  });
}
