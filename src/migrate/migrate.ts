import type { HubSettings } from "../core/config.js";
import { HubferryError } from "../core/errors.js";
import type { HttpEvents } from "../core/http/http-client.js";
import { formatRef, type RepoRef } from "../core/repo-ref.js";
import type { Hub } from "../hubs/hub.js";
import type { EventSink } from "../transfer/events.js";
import { type ExecuteResult, executePlan } from "../transfer/execute.js";
import { hashesOf } from "../transfer/hashing.js";
import { type Plan, planTransfer } from "../transfer/plan.js";
import { readAll } from "../transfer/resumable-read.js";
import type { TransferDestination } from "../transfer/types.js";
import { verifyDestination } from "../transfer/verify.js";
import { hubFor } from "./hubs-from-settings.js";

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
}

export interface MigrateResult {
  plan: Plan;
  result?: ExecuteResult;
  destinationUrl: string;
}

/** A destination that does not exist yet has nothing on it. */
function maybeEmpty(dest: TransferDestination, exists: boolean): TransferDestination {
  if (exists) return dest;
  return {
    label: dest.label,
    url: dest.url,
    refuses: dest.refuses?.bind(dest),
    list: async () => [],
    prepare: dest.prepare.bind(dest),
    commit: dest.commit.bind(dest),
  };
}

async function exists(hub: Hub, ref: RepoRef): Promise<boolean> {
  try {
    await hub.repoInfo(ref);
    return true;
  } catch (err) {
    if (err instanceof HubferryError && err.code === "REPO_NOT_FOUND") return false;
    throw err;
  }
}

/**
 * Migrates one repo: checks the tokens it needs, plans against the destination's current files,
 * asks (if asked to), then streams every missing file from source to destination and verifies.
 */
export async function migrate(opts: MigrateOptions): Promise<MigrateResult> {
  const signal = opts.signal ?? new AbortController().signal;
  const httpEvents: HttpEvents = {
    onRetry: (e) => {
      const what = `${e.method} ${new URL(e.url).pathname}`;
      if (e.rateLimited) opts.events({ event: "rate_limit", what, waitMs: e.waitMs });
      else opts.events({ event: "retry", what, attempt: e.attempt, waitMs: e.waitMs, reason: e.reason });
    },
  };
  const srcHub = hubFor(opts.source.hub, opts.settings, httpEvents);
  const destHub = hubFor(opts.destination.hub, opts.settings, httpEvents);
  const notes: string[] = opts.runnerNote ? [opts.runnerNote] : [];

  // The destination token first: nothing is read before we know we could write.
  const me = await destHub.whoami();
  const [owner] = opts.destination.id.split("/") as [string];
  if (me.canWrite === false)
    throw new HubferryError(
      "FORBIDDEN",
      `the ${destHub.name === "hf" ? "Hugging Face" : "ModelScope"} token is read-only`,
      "use a token with write access",
    );

  const source = { ...opts.source };
  if (!source.typeKnown) source.type = await srcHub.detectType(source);
  const src = await srcHub.source(source, opts.revision);
  const destination = {
    ...opts.destination,
    type: opts.destination.typeKnown ? opts.destination.type : source.type,
  };
  if (destination.hub === "ms" && destination.type === "space") {
    destination.type = "model";
    notes.push("a space goes to ModelScope as a model repo (ModelScope studios have no file API)");
  }
  const destExists = await exists(destHub, destination);
  if (destExists) {
    await destHub.checkWritable(destination);
    notes.push(`${formatRef(destination)} exists: files that differ are updated, others are kept`);
  } else {
    if (destHub.name === "hf" && owner !== me.name && !me.orgs.includes(owner)) {
      throw new HubferryError(
        "FORBIDDEN",
        `the Hugging Face token of "${me.name}" cannot create repos under "${owner}"`,
        `use a token of "${owner}" or one of its members, or pick another --dest`,
      );
    }
    notes.push(
      `${formatRef(destination)} will be created (${src.info.private ? "private" : "public"}, as the source)`,
    );
  }
  const dest = maybeEmpty(destHub.destination(destination), destExists);
  const plan = await planTransfer(src, dest, {
    include: opts.include,
    exclude: opts.exclude,
    inspect: async (f) => hashesOf(await readAll(src, f.path, f.size, { signal })),
  });
  opts.events({
    event: "plan",
    source: src.label,
    destination: dest.label,
    destinationUrl: dest.url,
    revision: src.revision,
    copy: plan.copy.map((f) => ({ path: f.path, size: f.size })),
    present: plan.present.length,
    refused: plan.refused,
    delete: opts.deleteExtra ? plan.delete : [],
    bytes: plan.bytes,
    notes,
  });
  if (opts.dryRun) return { plan, destinationUrl: dest.url };
  if (opts.confirm && !(await opts.confirm(plan))) {
    throw new HubferryError(
      "NOT_CONFIRMED",
      "nothing was written: the plan was not confirmed",
      "re-run and answer yes, or pass --yes",
    );
  }
  if (!destExists) await destHub.createRepo(destination, { private: src.info.private, sdk: src.info.sdk });
  const result = await executePlan(plan, src, destHub.destination(destination), {
    signal,
    events: opts.events,
    concurrency: opts.concurrency,
    batchFiles: opts.batchFiles,
    deleteExtra: opts.deleteExtra,
    commitMessage: (i, n) =>
      `${opts.verb ?? "Migrate"} from ${src.label.split("@")[0]} at ${src.revision.slice(0, 12)} with hubferry${n > 1 ? ` (batch ${i}/${n})` : ""}`,
  });
  const check = await verifyDestination(
    plan,
    destHub.destination(destination),
    new Map(),
    opts.deleteExtra ? plan.delete : [],
  );
  opts.events({ event: "verify", files: plan.copy.length + plan.present.length, ok: check.ok });
  if (!check.ok)
    throw new HubferryError(
      "INTEGRITY",
      `the destination does not match the source after the copy: ${check.problems.slice(0, 3).join("; ")}`,
      "re-run to repair; report it if it persists",
    );
  opts.events({
    event: "summary",
    files: result.files,
    bytes: result.bytes,
    skipped: result.skipped,
    deleted: result.deleted,
    seconds: result.seconds,
    bytesPerSecond: result.seconds > 0 ? Math.round(result.bytes / result.seconds) : result.bytes,
    destinationUrl: dest.url,
    commits: result.commits,
  });
  return { plan, result, destinationUrl: dest.url };
}
