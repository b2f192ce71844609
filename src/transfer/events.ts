import type { z } from "zod";
import type { TransferEventSchema } from "./event-schema.js";

/**
 * The events a transfer emits, one JSON object per line with `--json`. The CLI renders them as
 * progress bars; the Modal worker prints them; the plugin reads them. Their shape, field by field,
 * is the schema in event-schema.ts, which also checks them where they come back from a worker.
 */
export type TransferEvent = z.infer<typeof TransferEventSchema>;

export type EventSink = (e: TransferEvent) => void;
