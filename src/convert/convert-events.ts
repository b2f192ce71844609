import { createHash } from "node:crypto";
import type { EventSink, TransferEvent } from "../transfer/events.js";
import type { GgufLayout } from "./gguf/write-header.js";
import type { GgufPlan } from "./gguf-plan.js";
import type { WriteProgress } from "./write-gguf.js";

/** What a safetensors -> GGUF conversion will write, said before a weight is read. */
export function convertPlanEvent(
  plan: GgufPlan,
  layout: GgufLayout,
  at: { source: string; output: string; type: string; dryRun: boolean },
): Extract<TransferEvent, { event: "convert_plan" }> {
  return {
    event: "convert_plan",
    source: at.source,
    output: at.output,
    hfArchitecture: plan.hfArchitecture,
    architecture: plan.architecture,
    type: at.type,
    tensors: plan.tensors.map((t, i) => ({
      name: t.name,
      shape: t.dims,
      type: t.type,
      bytes: layout.tensors[i]?.byteSize ?? 0,
    })),
    keys: plan.metadata.length,
    bytes: layout.fileSize,
    warnings: plan.warnings,
    dryRun: at.dryRun,
  };
}

/**
 * The events every conversion ends with, the same the other commands emit: the output's
 * file_done with the sha256 hashed as it was written, then the summary.
 */
export function emitConverted(
  events: EventSink,
  done: { path: string; output: string; bytes: number; sha256: string; files: number; started: number },
): void {
  events({ event: "file_done", path: done.path, size: done.bytes, sha256: done.sha256, method: "single" });
  const seconds = (Date.now() - done.started) / 1000;
  events({
    event: "summary",
    files: done.files,
    bytes: done.bytes,
    stored: 0,
    storedBytes: 0,
    skipped: 0,
    deleted: 0,
    seconds,
    bytesPerSecond: seconds > 0 ? done.bytes / seconds : 0,
    destinationUrl: done.output,
    commits: [],
  });
}

const PROGRESS_EVERY = 16 * 1024 * 1024;

/**
 * A conversion's output as the writers see it: every byte hashed on its way to the file, and
 * progress said as file_start, then file_progress every 16 MiB (and at the end), under `shown`.
 */
export function reportingSink(
  events: EventSink,
  out: { write(bytes: Uint8Array): Promise<void> },
  shown: string,
  size: number,
  signal?: AbortSignal,
): { sink: { write(bytes: Uint8Array): Promise<void> }; progress: WriteProgress; sha256(): string } {
  const hash = createHash("sha256");
  let reported = 0;
  events({ event: "file_start", path: shown, size });
  return {
    sink: {
      write: async (bytes) => {
        hash.update(bytes);
        await out.write(bytes);
      },
    },
    progress: {
      signal,
      onBytes: (done, total) => {
        if (done - reported < PROGRESS_EVERY && done < total) return;
        reported = done;
        events({ event: "file_progress", path: shown, bytes: done, size: total });
      },
    },
    sha256: () => hash.digest("hex"),
  };
}
