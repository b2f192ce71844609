import type { TransferEvent } from "../../transfer/events.js";

/** `--json`: one event per line on stdout, exactly as the engine emits them. */
export function jsonRenderer(out: NodeJS.WritableStream = process.stdout): (e: TransferEvent) => void {
  return (e) => {
    out.write(`${JSON.stringify(e)}\n`);
  };
}
