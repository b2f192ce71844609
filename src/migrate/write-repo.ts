import { openHashPairs } from "../caches/hash-pairs.js";
import { HubferryError } from "../core/errors.js";
import { sleep } from "../core/http/http-client.js";
import { describeFilters, emptySelectionError } from "../core/path-filter.js";
import { formatRef, type RepoRef } from "../core/repo-ref.js";
import type { CopySource, Hub, WhoAmI } from "../hubs/hub.js";
import { dealFiles, type Share } from "../transfer/deal.js";
import type { EventSink, TransferEvent } from "../transfer/events.js";
import { type ExecuteResult, executePlan } from "../transfer/execute.js";
import { hashesOf } from "../transfer/hashing.js";
import { type Plan, planTransfer } from "../transfer/plan.js";
import { readAll } from "../transfer/resumable-read.js";
import { executeSharded, type LaunchWorker } from "../transfer/sharded.js";
import type { TransferDestination, TransferSource } from "../transfer/types.js";
import { verifyDestination } from "../transfer/verify.js";

export interface WriteRepoOptions {
  include?: string[];
  exclude?: string[];
  dryRun?: boolean;
  deleteExtra?: boolean;
  /** What to tell a user whose destination keeps files the source lacks (how to remove them). */
  extraHint: string;
  notes: string[];
  /** Visibility and SDK of a repo that has to be created. */
  private: boolean;
  sdk?: string;
  /** The licence a created repo gets (the source's, or --license); none when unset. */
  license?: string;
  events: EventSink;
  signal?: AbortSignal;
  confirm?: (plan: Plan) => Promise<boolean>;
  concurrency?: number;
  batchFiles?: number;
  commitMessage: (batch: number, batches: number) => string;
  /**
   * A copy the destination hub can make itself into a repo that does not exist yet (nothing
   * moves through here). Tried after the plan is confirmed; if the hub refuses, the run streams.
   */
  serverCopy?: (signal: AbortSignal) => Promise<{ pending: boolean }>;
  /** A repo on the destination's hub whose stored objects the destination may take by a server-side copy. */
  copyFrom?: CopySource;
  /** A sharded run: the files are dealt to `count` workers, which upload; this process commits. */
  workers?: { count: number; launch: LaunchWorker };
}

export interface WriteRepoResult {
  plan: Plan;
  result?: ExecuteResult;
  destinationUrl: string;
}

/** The destination token, checked first: nothing is read before we know we could write. */
export async function checkWriter(destHub: Hub): Promise<WhoAmI> {
  const me = await destHub.whoami();
  if (me.canWrite === false)
    throw new HubferryError(
      "FORBIDDEN",
      `the ${destHub.name === "hf" ? "Hugging Face" : "ModelScope"} token is read-only: the destination needs a write token`,
      `set ${destHub.name === "hf" ? "HF_TOKEN" : "MODELSCOPE_API_TOKEN"} to a token with write access`,
    );
  return me;
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
 * Whether the destination repo exists; an existing one must be writable, a new one must be
 * creatable under its owner. Says which in `notes`.
 */
export async function prepareDestination(
  destHub: Hub,
  destination: RepoRef,
  me: WhoAmI,
  notes: string[],
  createdAs: string,
): Promise<boolean> {
  const [owner] = destination.id.split("/") as [string];
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
    notes.push(`${formatRef(destination)} will be created (${createdAs})`);
  }
  return destExists;
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

/** Where a write lands: a hub repo, or a folder. `exists` false: nothing is there yet, and `create` makes it. */
export interface WriteTarget {
  destination(): TransferDestination;
  exists: boolean;
  create(): Promise<void>;
  /** Paths the destination keeps its own version of once it has one (see PlanOptions.destinationOwns). */
  owns?: string[];
}

/** A hub repo as a write target, created with the visibility, SDK and licence the options say. */
function hubTarget(destHub: Hub, ref: RepoRef, exists: boolean, opts: WriteRepoOptions): WriteTarget {
  return {
    destination: () => destHub.destination(ref, { copyFrom: opts.copyFrom }),
    exists,
    // A hub decides what is LFS and keeps .gitattributes to match: a sync must not fight it.
    owns: [".gitattributes"],
    create: async () => {
      await destHub.createRepo(ref, { private: opts.private, sdk: opts.sdk, license: opts.license });
    },
  };
}

/**
 * Writes a source into a hub repo, the part `migrate`, `sync` and `push` share: plan against the
 * destination's files (only what differs by hash is sent), report, ask, create the repo if
 * needed, copy, verify.
 */
export function writeRepo(
  src: TransferSource,
  destHub: Hub,
  destination: RepoRef,
  destExists: boolean,
  opts: WriteRepoOptions,
): Promise<WriteRepoResult> {
  return writeInto(src, hubTarget(destHub, destination, destExists, opts), opts);
}

/** The same for any target (a hub repo, a folder). */
export async function writeInto(
  src: TransferSource,
  target: WriteTarget,
  opts: WriteRepoOptions,
): Promise<WriteRepoResult> {
  const signal = opts.signal ?? new AbortController().signal;
  const dest = maybeEmpty(target.destination(), target.exists);
  const pairs = await openHashPairs();
  const plan = await planTransfer(src, dest, {
    include: opts.include,
    exclude: opts.exclude,
    inspect: async (f) => {
      const known = pairs.lookup(f);
      if (known) return known;
      const hashes = hashesOf(await readAll(src, f.path, f.size, { signal }));
      pairs.add({ ...hashes, size: f.size });
      return hashes;
    },
    destinationOwns: target.owns,
  });
  try {
    return await writePlanned(src, target, dest, plan, opts, signal);
  } finally {
    // Small files the copy hashed from their bytes carry both ids now: the next plan needs no read.
    for (const f of plan.copy)
      if (f.sha256 && f.gitOid) pairs.add({ gitOid: f.gitOid, sha256: f.sha256, size: f.size });
    await pairs.save();
  }
}

/** After the plan: report, ask, copy, verify. */
async function writePlanned(
  src: TransferSource,
  target: WriteTarget,
  dest: TransferDestination,
  plan: Plan,
  opts: WriteRepoOptions,
  signal: AbortSignal,
): Promise<WriteRepoResult> {
  await refuseEmptySelection(src, plan, opts);
  for (const path of plan.keptOwn)
    opts.notes.push(
      `${path} differs from the source's: the destination's own is kept (its hub decides what is LFS)`,
    );
  const shares = opts.workers ? dealFiles(plan.copy, opts.workers.count) : undefined;
  opts.events(planEvent(src, dest, plan, shares, opts));
  if (opts.dryRun) return { plan, destinationUrl: dest.url };
  if (opts.confirm && !(await opts.confirm(plan))) {
    throw new HubferryError(
      "NOT_CONFIRMED",
      "nothing was written: the plan was not confirmed",
      "re-run and answer yes to write",
    );
  }
  const result =
    (await copyOnHub(plan, target, opts, signal)) ??
    (await copyHere(plan, src, target, shares, opts, signal));
  const deletions = opts.deleteExtra ? plan.delete : [];
  // Nothing written: the plan compared every file with the destination's listing just now, so
  // listing it again (40 MB of JSON for a ModelScope repo of 100,000 files) would check nothing new.
  const wrote = plan.copy.length > 0 || deletions.length > 0;
  const check = wrote
    ? await verifyDestination(plan, target.destination(), new Map(), deletions)
    : { ok: true, problems: [] };
  opts.events({ event: "verify", files: plan.copy.length + plan.present.length, ok: check.ok });
  if (!check.ok)
    throw new HubferryError(
      "INTEGRITY",
      `the destination does not match the source after the copy: ${check.problems.slice(0, 3).join("; ")}`,
      "re-run to repair; report it if it persists",
    );
  opts.events(summaryEvent(result, dest.url));
  return { plan, result, destinationUrl: dest.url };
}

/** The hub's own copy, when offered and the hub agrees: the run's result, else undefined (stream). */
async function copyOnHub(
  plan: Plan,
  target: WriteTarget,
  opts: WriteRepoOptions,
  signal: AbortSignal,
): Promise<ExecuteResult | undefined> {
  if (!opts.serverCopy || target.exists) return undefined;
  const t0 = Date.now();
  let pending: boolean;
  try {
    ({ pending } = await opts.serverCopy(signal));
  } catch (err) {
    if (signal.aborted) throw err;
    opts.events({
      event: "note",
      message: `the hub did not make the copy itself (${(err as Error).message}): streaming it instead`,
    });
    return undefined;
  }
  if (pending) await filesCopied(plan, target, signal);
  opts.events({ event: "note", message: "copied by the hub itself: no byte passed through hubferry" });
  return {
    files: plan.copy.length,
    bytes: 0,
    stored: plan.copy.length,
    storedBytes: plan.bytes,
    skipped: plan.present.length,
    deleted: 0,
    commits: [],
    seconds: (Date.now() - t0) / 1000,
  };
}

/** A hub may answer a copy before its files are all there (`filesCopyPending`): waited for, bounded. */
async function filesCopied(plan: Plan, target: WriteTarget, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  for (let wait = 250; ; wait = Math.min(wait * 2, 15_000)) {
    const check = await verifyDestination(plan, target.destination(), new Map(), []);
    if (check.ok || Date.now() + wait > deadline) return;
    await sleep(wait, signal);
  }
}

/** The copy made here: created if needed, then every file streamed (or dealt to workers). */
async function copyHere(
  plan: Plan,
  src: TransferSource,
  target: WriteTarget,
  shares: Share[] | undefined,
  opts: WriteRepoOptions,
  signal: AbortSignal,
): Promise<ExecuteResult> {
  if (!target.exists) await target.create();
  const executeOpts = {
    signal,
    events: opts.events,
    concurrency: opts.concurrency,
    batchFiles: opts.batchFiles,
    deleteExtra: opts.deleteExtra,
    commitMessage: opts.commitMessage,
  };
  return shares && opts.workers
    ? executeSharded(plan, src, target.destination(), { ...executeOpts, shares, launch: opts.workers.launch })
    : executePlan(plan, src, target.destination(), executeOpts);
}

function planEvent(
  src: TransferSource,
  dest: TransferDestination,
  plan: Plan,
  shares: Share[] | undefined,
  opts: WriteRepoOptions,
): TransferEvent {
  return {
    event: "plan",
    source: src.label,
    destination: dest.label,
    destinationUrl: dest.url,
    revision: src.revision,
    copy: plan.copy.map((f) => ({ path: f.path, size: f.size })),
    present: plan.present.length,
    refused: plan.refused,
    delete: opts.deleteExtra ? plan.delete : [],
    extra:
      !opts.deleteExtra && plan.delete.length ? { count: plan.delete.length, hint: opts.extraHint } : null,
    bytes: plan.bytes,
    notes: [...opts.notes, ...(plan.kept ?? []).map((k) => `kept: ${k.path}, ${k.reason}`)],
    ...(shares
      ? { dealt: shares.map((s) => ({ worker: s.worker, files: s.files.length, bytes: s.bytes })) }
      : {}),
  };
}

function summaryEvent(result: ExecuteResult, destinationUrl: string): TransferEvent {
  return {
    event: "summary",
    files: result.files,
    bytes: result.bytes,
    stored: result.stored,
    storedBytes: result.storedBytes,
    skipped: result.skipped,
    deleted: result.deleted,
    seconds: result.seconds,
    bytesPerSecond: result.seconds > 0 ? Math.round(result.bytes / result.seconds) : 0,
    destinationUrl,
    commits: result.commits,
  };
}

/**
 * Filters that leave nothing of a non-empty source are a mistake in what was typed, not a run with
 * nothing to do: refused (exit 2) before anything is created, naming the filters.
 */
async function refuseEmptySelection(src: TransferSource, plan: Plan, opts: WriteRepoOptions): Promise<void> {
  if (describeFilters(opts).length === 0 || plan.copy.length + plan.present.length + plan.refused.length > 0)
    return;
  const all = await src.list();
  if (all.length) throw emptySelectionError(opts, all.length, src.label);
}
