import { Command } from "commander";

export function authCommand(): Command {
  const auth = new Command("auth").description("tokens for Hugging Face, ModelScope and Modal");
  auth
    .command("check")
    .description(
      "check that each token is present and accepted by its hub, and say where to get a missing one",
    )
    .option("--json", "print the result as JSON", false)
    .option("--offline", "only check presence and format, call no hub", false)
    .option("--modal", "also verify the Modal credentials with an authenticated call", false)
    .action(async (flags: { json: boolean; offline: boolean; modal: boolean }) =>
      (await import("./auth-action.js")).authCheck(flags),
    );
  return auth;
}
