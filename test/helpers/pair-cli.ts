import assert from "node:assert/strict";
import { type CliRun, eventsOf, runCli } from "./cli.js";
import { type HubPair, USERS } from "./local-hub.js";

/** The real CLI against a hub pair with `--json`; no run may print a token. */
export async function pairCli(pair: HubPair, args: string[]): Promise<CliRun> {
  const run = await runCli([...args, "--json"], pair.env(), { timeoutMs: 180_000 });
  for (const t of [USERS.alice.token, USERS.alice.msToken])
    assert.ok(!(run.stdout + run.stderr).includes(t), "a token leaked into the output");
  return run;
}

/** The run, after asserting it ended with exit 0 (its stderr and last output in the message). */
export function ok(run: CliRun): CliRun {
  assert.equal(run.code, 0, `failed (${run.code}): ${run.stderr}\n${run.stdout.slice(-2000)}`);
  return run;
}

/** The paths the run's plan copies. */
export const copied = (run: CliRun) =>
  (eventsOf(run, "plan")[0] as { copy: { path: string }[] }).copy.map((f) => f.path);
