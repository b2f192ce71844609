import { z } from "zod";

/**
 * The events a transfer emits, one JSON object per line with `--json`, as a schema: a worker in a
 * sandbox prints them and the coordinator reads them back, so they are checked at that edge like
 * any other response. `TransferEvent` (events.ts) is this schema's type. Keep them stable.
 */
/** In a sharded run (`--sandboxes N`), the worker an event came from (1-based). */
const worker = z.number().int().min(1).optional();

/** How a sharded run dealt the files: per worker, its files and bytes. */
const share = z.object({ worker: z.number().int().min(1), files: z.number(), bytes: z.number() });

const planEvent = z.object({
  event: z.literal("plan"),
  source: z.string(),
  destination: z.string(),
  destinationUrl: z.string(),
  revision: z.string(),
  copy: z.array(z.object({ path: z.string(), size: z.number() })),
  present: z.number(),
  refused: z.array(z.object({ path: z.string(), reason: z.string() })),
  delete: z.array(z.string()),
  /** Destination files the source does not have, left in place (a run without --delete). */
  extra: z.object({ count: z.number(), hint: z.string() }).nullable(),
  bytes: z.number(),
  notes: z.array(z.string()),
  /** A sharded run: how the files to copy were dealt to its workers. */
  dealt: z.array(share).optional(),
});

const fileDoneEvent = z.object({
  event: z.literal("file_done"),
  path: z.string(),
  size: z.number(),
  sha256: z.string(),
  method: z.enum(["inline", "stored", "single", "parts"]),
  /** Pull: bytes kept from an earlier, interrupted run (the rest came by a ranged read). */
  resumedFrom: z.number().optional(),
  worker,
});

/** A sharded run's worker: started (`replaces` a failed one), done, or failed with its files unfinished. */
const workerEvent = z.object({
  event: z.literal("worker"),
  worker: z.number().int().min(1),
  state: z.enum(["started", "done", "failed"]),
  /** started: its files; done: the files it reported; failed: the files it left unfinished. */
  files: z.number(),
  bytes: z.number(),
  replaces: z.number().int().min(1).optional(),
  code: z.string().optional(),
  reason: z.string().optional(),
  /** failed: what becomes of its unfinished files. */
  next: z.string().optional(),
});

const summaryEvent = z.object({
  event: z.literal("summary"),
  /** Files written (committed, or downloaded by pull). */
  files: z.number(),
  /** Bytes that really moved: sent to the destination, or downloaded. */
  bytes: z.number(),
  /** Of `files`, those whose bytes the destination already stored: nothing was sent for them. */
  stored: z.number(),
  storedBytes: z.number(),
  /** Files already in place: not written at all. */
  skipped: z.number(),
  deleted: z.number(),
  seconds: z.number(),
  /** `bytes` over `seconds`: 0 when nothing moved. */
  bytesPerSecond: z.number(),
  destinationUrl: z.string(),
  commits: z.array(z.string()),
});

/** A format conversion's plan: everything decided before a weight is read (`convert --dry-run` prints only this). */
const convertPlanEvent = z.object({
  event: z.literal("convert_plan"),
  source: z.string(),
  output: z.string(),
  /** The Hugging Face architecture, and the GGUF one it becomes. */
  hfArchitecture: z.string(),
  architecture: z.string(),
  type: z.string(),
  tensors: z.array(
    z.object({ name: z.string(), shape: z.array(z.number()), type: z.string(), bytes: z.number() }),
  ),
  keys: z.number(),
  bytes: z.number(),
  warnings: z.array(z.string()),
  dryRun: z.boolean(),
});

export const TransferEventSchema = z.discriminatedUnion("event", [
  convertPlanEvent,
  planEvent,
  z.object({ event: z.literal("file_start"), path: z.string(), size: z.number(), worker }),
  z.object({
    event: z.literal("file_progress"),
    path: z.string(),
    bytes: z.number(),
    size: z.number(),
    worker,
  }),
  fileDoneEvent,
  z.object({
    event: z.literal("retry"),
    what: z.string(),
    attempt: z.number(),
    waitMs: z.number(),
    reason: z.string(),
    worker,
  }),
  z.object({ event: z.literal("rate_limit"), what: z.string(), waitMs: z.number(), worker }),
  workerEvent,
  /** Something the run decided on the way that the user should know (e.g. a fallback). */
  z.object({ event: z.literal("note"), message: z.string() }),
  z.object({
    event: z.literal("commit"),
    commit: z.string(),
    files: z.number(),
    deleted: z.number(),
    message: z.string(),
  }),
  z.object({ event: z.literal("verify"), files: z.number(), ok: z.boolean() }),
  summaryEvent,
  z.object({ event: z.literal("error"), code: z.string(), message: z.string(), hint: z.string().optional() }),
]);
