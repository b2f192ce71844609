/**
 * The events a transfer emits, one JSON object per line with `--json`. The CLI renders them as
 * progress bars; the Modal worker prints them; the plugin reads them. Keep them stable.
 */
export type TransferEvent =
  | {
      event: "plan";
      source: string;
      destination: string;
      destinationUrl: string;
      revision: string;
      copy: { path: string; size: number }[];
      present: number;
      refused: { path: string; reason: string }[];
      delete: string[];
      /** Destination files the source does not have, left in place (a run without --delete). */
      extra: { count: number; hint: string } | null;
      bytes: number;
      notes: string[];
    }
  | { event: "file_start"; path: string; size: number }
  | { event: "file_progress"; path: string; bytes: number; size: number }
  | {
      event: "file_done";
      path: string;
      size: number;
      sha256: string;
      method: "inline" | "stored" | "single" | "parts";
      /** Pull: bytes kept from an earlier, interrupted run (the rest came by a ranged read). */
      resumedFrom?: number;
    }
  | { event: "retry"; what: string; attempt: number; waitMs: number; reason: string }
  | { event: "rate_limit"; what: string; waitMs: number }
  | { event: "commit"; commit: string; files: number; deleted: number; message: string }
  | { event: "verify"; files: number; ok: boolean }
  | {
      event: "summary";
      /** Files written (committed, or downloaded by pull). */
      files: number;
      /** Bytes that really moved: sent to the destination, or downloaded. */
      bytes: number;
      /** Of `files`, those whose bytes the destination already stored: nothing was sent for them. */
      stored: number;
      storedBytes: number;
      /** Files already in place: not written at all. */
      skipped: number;
      deleted: number;
      seconds: number;
      /** `bytes` over `seconds`: 0 when nothing moved. */
      bytesPerSecond: number;
      destinationUrl: string;
      commits: string[];
    }
  | { event: "error"; code: string; message: string; hint?: string };

export type EventSink = (e: TransferEvent) => void;
