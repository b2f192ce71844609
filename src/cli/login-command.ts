import { Command, Option } from "commander";

const hubChoice = () =>
  new Option("--hub <hub>", "hf (Hugging Face) or ms (ModelScope)").choices(["hf", "ms"]).default("hf");

export function loginCommand(): Command {
  return new Command("login")
    .description(
      "save a token where the official client keeps it, so hubferry, huggingface_hub and modelscope share the login",
    )
    .addOption(hubChoice())
    .option("--token-stdin", "read the token from stdin instead of a prompt", false)
    .action(async (flags: { hub: "hf" | "ms"; tokenStdin: boolean }) =>
      (await import("./login-action.js")).loginAction(flags),
    );
}

export function logoutCommand(): Command {
  return new Command("logout")
    .description("remove the saved login of a hub (as `hf auth logout` / `modelscope logout` do)")
    .addOption(hubChoice())
    .action(async (flags: { hub: "hf" | "ms" }) => (await import("./login-action.js")).logoutAction(flags));
}

export function whoamiCommand(): Command {
  return new Command("whoami")
    .description("who each hub's token belongs to, and where the token was found")
    .addOption(new Option("--hub <hub>", "only this hub").choices(["hf", "ms"]))
    .option("--json", "print JSON", false)
    .action(async (flags: { hub?: "hf" | "ms"; json: boolean }) =>
      (await import("./login-action.js")).whoamiAction(flags),
    );
}
