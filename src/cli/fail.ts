import { loadSettings } from "../core/config.js";
import { exitCodeFor, HubferryError, redact } from "../core/errors.js";

import { ExitCode } from "./exit-code.js";

export { ExitCode };

/**
 * Reports an error the same way everywhere: one line naming what is wrong, one line saying what
 * to do, a JSON `error` event with `--json`, and an exit code by kind. Tokens are scrubbed.
 */
export function reportError(err: unknown, json: boolean): ExitCode {
  const s = loadSettings();
  const secrets = [
    s.hfToken,
    s.msToken,
    s.destToken,
    process.env.HUBFERRY_DEST_TOKEN,
    process.env.MODAL_TOKEN_SECRET,
  ];
  const e =
    err instanceof HubferryError ? err : new HubferryError("SERVER", (err as Error)?.message ?? String(err));
  const message = redact(e.message, secrets);
  const hint = e.hint ? redact(e.hint, secrets) : undefined;
  if (json)
    process.stdout.write(
      `${JSON.stringify({ event: "error", code: e.code, message, ...(hint ? { hint } : {}) })}\n`,
    );
  process.stderr.write(`hubferry: ${message}\n${hint ? `  hint: ${hint}\n` : ""}`);
  return new ExitCode(exitCodeFor(e));
}
