// What `auth check` does; loaded only when it runs (the definition, for --help, is auth-command.ts).
import { checkTokens } from "./check-tokens.js";
import { ExitCode, reportError } from "./fail.js";

export async function authCheck(flags: { json: boolean; offline: boolean; modal: boolean }): Promise<void> {
  try {
    const checks = await checkTokens({
      verify: !flags.offline,
      verifyModal: flags.modal && !flags.offline,
    });
    const ok =
      checks.filter((c) => c.name !== "modal").every((c) => c.present && c.valid !== false) &&
      (!flags.modal || checks.find((c) => c.name === "modal")?.valid === true);
    if (flags.json) process.stdout.write(`${JSON.stringify({ ok, tokens: checks })}\n`);
    else {
      for (const c of checks) {
        const state = !c.present
          ? "missing"
          : c.unreachable
            ? "NOT CHECKED"
            : c.valid === false
              ? "REFUSED"
              : c.valid
                ? `ok (${c.user}${c.role ? `, ${c.role} token` : ""})`
                : c.problem
                  ? "invalid"
                  : "present";
        process.stdout.write(
          `${c.name.padEnd(12)} ${state}${c.source ? `  from ${c.source}` : ""}${c.endpoint ? `  at ${c.endpoint}` : ""}\n`,
        );
        if (c.problem) process.stdout.write(`${"".padEnd(13)}${c.problem}\n`);
        if (!c.present || c.valid === false) process.stdout.write(`${"".padEnd(13)}get one: ${c.getOne}\n`);
      }
    }
    // A hub that could not be reached is a network failure, not a verdict on its token.
    if (!ok) throw new ExitCode(checks.some((c) => c.unreachable) ? 1 : 3);
  } catch (err) {
    if (err instanceof ExitCode) throw err;
    throw reportError(err, flags.json);
  }
}
