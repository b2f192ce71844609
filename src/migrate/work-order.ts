import { z } from "zod";
import type { HubSettings } from "../core/config.js";
import { HubferryError } from "../core/errors.js";
import { formatRef, type RepoRef } from "../core/repo-ref.js";
import type { EventSink } from "../transfer/events.js";
import { uploadWithoutCommit } from "../transfer/execute.js";
import type { SourceFile } from "../transfer/types.js";
import { destinationHubFor, httpEventsFor, hubFor } from "./hubs-from-settings.js";

/** Enough for the largest repos (a million files) and no more: an order is read whole into memory. */
const MAX_FILES = 1_000_000;

/**
 * What a coordinator hands one worker of a sharded run (`--sandboxes N`): the files to upload,
 * read from the source at one pinned commit. It travels on the worker's stdin, never its argv.
 */
export const WorkOrderSchema = z.object({
  worker: z.number().int().min(1),
  files: z
    .array(
      z.object({
        path: z.string().min(1),
        size: z.number().int().min(0),
        sha256: z.string().optional(),
        gitOid: z.string().optional(),
      }),
    )
    .min(1)
    .max(MAX_FILES),
});

export type WorkOrder = z.infer<typeof WorkOrderSchema>;

/** The order a coordinator sends for one worker's share. */
export function workOrderFor(worker: number, files: SourceFile[]): WorkOrder {
  return {
    worker,
    files: files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, gitOid: f.gitOid })),
  };
}

/** Reads a work order's JSON text, naming what is wrong with it. */
export function parseWorkOrder(text: string): WorkOrder {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new HubferryError(
      "BAD_INPUT",
      `the work order is not JSON: ${(err as Error).message}`,
      "a work order is written by a coordinator (migrate --sandboxes N); it is not meant to be typed",
    );
  }
  const parsed = WorkOrderSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HubferryError(
      "BAD_INPUT",
      `the work order is not valid: ${issue.path.join(".") || "(top)"}: ${issue.message}`,
      "a work order is written by a coordinator (migrate --sandboxes N); it is not meant to be typed",
    );
  }
  return parsed.data;
}

export interface WorkOrderRun {
  source: RepoRef;
  destination: RepoRef;
  /** The commit the coordinator planned at: the worker reads exactly what was planned. */
  revision: string;
  order: WorkOrder;
  settings: HubSettings;
  events: EventSink;
  signal: AbortSignal;
  concurrency?: number;
}

/**
 * A worker's run: the order's files, as the source lists them at the pinned commit (a path it
 * does not list, or lists with another size or hash, is refused rather than trusted), uploaded to
 * the destination and reported verified. Nothing is committed: the coordinator commits.
 */
export async function runWorkOrder(opts: WorkOrderRun): Promise<number> {
  const httpEvents = httpEventsFor(opts.events);
  const srcHub = hubFor(opts.source.hub, opts.settings, httpEvents);
  const destHub = destinationHubFor(opts.destination.hub, opts.settings, httpEvents);
  const src = await srcHub.source(opts.source, opts.revision);
  const listed = new Map((await src.list()).map((f) => [f.path, f]));
  const files = opts.order.files.map((o) => {
    const f = listed.get(o.path);
    const differs = f && (f.size !== o.size || (o.sha256 && f.sha256 && o.sha256 !== f.sha256));
    if (!f || differs)
      throw new HubferryError(
        "BAD_INPUT",
        `the work order names ${o.path}, which ${formatRef(opts.source)} at ${opts.revision.slice(0, 12)} ${f ? "lists with another size or hash" : "does not have"}`,
        "re-run the migration: the coordinator plans again",
      );
    return f;
  });
  return uploadWithoutCommit(files, src, destHub.destination(opts.destination), {
    signal: opts.signal,
    events: opts.events,
    concurrency: opts.concurrency,
  });
}
