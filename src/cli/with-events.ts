import { HubferryError } from "../core/errors.js";
import type { EventSink } from "../transfer/events.js";
import { reportError } from "./fail.js";
import { HumanRenderer } from "./render/human-renderer.js";
import { jsonRenderer } from "./render/json-renderer.js";

export interface EventRun {
  events: EventSink;
  /** The terminal renderer (absent with --json), to stop its bars before a prompt. */
  human?: HumanRenderer;
  /** Aborted by Ctrl-C. */
  signal: AbortSignal;
}

/**
 * The frame every transfer-like command shares: events rendered as progress bars or JSON lines,
 * Ctrl-C turned into a clean cancel that says what was kept, and errors reported one way.
 */
export async function withEvents<T>(
  json: boolean,
  cancelledMessage: string,
  body: (run: EventRun) => Promise<T>,
  opts: {
    /**
     * Where the plan and the summary go: stdout (default), or stderr for a command whose product
     * is something else (pull prints the path on stdout, for `$(hubferry pull ...)`).
     */
    planTo?: "stdout" | "stderr";
  } = {},
): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  const human = json
    ? undefined
    : new HumanRenderer({ product: opts.planTo === "stderr" ? process.stderr : process.stdout });
  const events = json ? jsonRenderer() : human!.handle;
  try {
    const out = await body({ events, human, signal: controller.signal });
    human?.finish();
    return out;
  } catch (err) {
    human?.stopBars();
    if (controller.signal.aborted) throw reportError(new HubferryError("CANCELLED", cancelledMessage), json);
    throw reportError(err, json);
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}
