// Every command's definition (name, options, help) is loaded here, cheap and static; what a command
// does is imported by its action when it runs, so --help, --version and `tree` load no hub code.
import { Command, CommanderError } from "commander";
import { hubferryVersion } from "../core/version.js";
import { authCommand } from "./auth-command.js";
import { cacheCommand } from "./cache-command.js";
import { convertCommand } from "./convert-command.js";
import { demoCommand } from "./demo-command.js";
import { ExitCode } from "./exit-code.js";
import { infoCommand } from "./info-command.js";
import { loginCommand, logoutCommand, whoamiCommand } from "./login-command.js";
import { migrateCommand, syncCommand } from "./migrate-command.js";
import { mirrorCommand } from "./mirror-command.js";
import { pullCommand } from "./pull-command.js";
import { pushCommand } from "./push-command.js";
import { searchCommand } from "./search-command.js";
import { serveCommand } from "./serve.js";
import { treeCommand } from "./tree-command.js";

export function buildProgram(): Command {
  const program = new Command("hubferry")
    .description(
      "Move ML repos between Hugging Face Hub and ModelScope, cloud to cloud; query, pull, push; run a local hub.",
    )
    .version(hubferryVersion(), "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  program.addCommand(migrateCommand());
  program.addCommand(syncCommand());
  program.addCommand(searchCommand());
  program.addCommand(infoCommand());
  program.addCommand(treeCommand());
  program.addCommand(pullCommand());
  program.addCommand(pushCommand());
  program.addCommand(convertCommand());
  program.addCommand(cacheCommand());
  program.addCommand(loginCommand());
  program.addCommand(whoamiCommand());
  program.addCommand(logoutCommand());
  program.addCommand(authCommand());
  program.addCommand(serveCommand());
  program.addCommand(mirrorCommand());
  program.addCommand(demoCommand());
  overrideExits(program);
  return program;
}

/**
 * Commands built apart and added with addCommand inherit none of the program's settings: without
 * this, commander ends the process itself (exit 1) on an unknown option of a subcommand.
 */
function overrideExits(cmd: Command): void {
  for (const sub of cmd.commands) {
    sub.exitOverride().showHelpAfterError("(run with --help for usage)");
    overrideExits(sub);
  }
}

/** Runs the CLI and returns the exit code; errors are printed as one clear line, never a stack. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    // Commander's own refusals (unknown option or command, missing argument) are bad input: exit 2,
    // as README's table says; its help and version output are not errors.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ExitCode) return err.code;
    // An error no command reported itself: the same one line, token scrubbed, exit code by its kind.
    // Loaded here, not at start: it reads the settings, which --help and --version never need.
    const { reportError } = await import("./fail.js");
    return reportError(err, false).code;
  }
}
