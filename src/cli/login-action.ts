// What login, logout and whoami do; loaded only when one runs (the definitions, for --help, are in
// login-command.ts), so no other command loads the hub clients or the prompt.
import password from "@inquirer/password";
import { loadSettings, tokenProblem } from "../core/config.js";
import { removeHfLogin, saveHfLogin } from "../core/credentials/hf-token-store.js";
import { removeMsLogin, saveMsLogin } from "../core/credentials/ms-credentials.js";
import { HubferryError } from "../core/errors.js";
import { HfHub } from "../hubs/hf/hf-hub.js";
import { MsHub } from "../hubs/ms/ms-hub.js";
import { reportError } from "./fail.js";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8").trim();
}

/** The token comes from stdin or a hidden prompt, never from the command line (it would show in `ps`). */
async function readToken(hub: "hf" | "ms", fromStdin: boolean): Promise<string> {
  const token = fromStdin
    ? await readStdin()
    : process.stdin.isTTY
      ? (
          await password({ message: `${hub === "hf" ? "Hugging Face" : "ModelScope"} token:`, mask: "*" })
        ).trim()
      : "";
  if (!token)
    throw new HubferryError(
      "BAD_INPUT",
      "no token given",
      `type it at the prompt, or pipe it: printf %s "$TOKEN" | hubferry login --hub ${hub} --token-stdin`,
    );
  const problem = tokenProblem(token, fromStdin ? "stdin" : "the prompt");
  if (problem) throw new HubferryError("AUTH_INVALID", problem, "give the token as copied, on one line");
  return token;
}
export async function loginAction(flags: { hub: "hf" | "ms"; tokenStdin: boolean }): Promise<void> {
  try {
    const s = loadSettings();
    const token = await readToken(flags.hub, flags.tokenStdin);
    if (flags.hub === "hf") {
      const me = await new HfHub(s.hfEndpoint, token).whoami();
      await saveHfLogin(token, me.tokenName ?? `oauth-${me.name}`);
      process.stdout.write(
        `logged in to Hugging Face as ${me.name}${me.tokenName ? ` (token "${me.tokenName}")` : ""}\n`,
      );
      if (process.env.HF_TOKEN || process.env.HUGGING_FACE_HUB_TOKEN)
        process.stderr.write(
          "note: HF_TOKEN is set in this environment and takes precedence over the saved login\n",
        );
    } else {
      const me = await new MsHub(s.msEndpoint, token).sessionLogin();
      const dir = await saveMsLogin(s.msEndpoint, { token, ...me });
      process.stdout.write(`logged in to ModelScope as ${me.username} (saved in ${dir})\n`);
      if (process.env.MODELSCOPE_API_TOKEN)
        process.stderr.write("note: MODELSCOPE_API_TOKEN is set in this environment and takes precedence\n");
    }
  } catch (err) {
    throw reportError(err, false);
  }
}

export async function logoutAction(flags: { hub: "hf" | "ms" }): Promise<void> {
  try {
    const removed = flags.hub === "hf" ? await removeHfLogin() : await removeMsLogin();
    process.stdout.write(removed.length ? `removed ${removed.join(", ")}\n` : "no saved login to remove\n");
    const env =
      flags.hub === "hf"
        ? ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"]
        : ["MODELSCOPE_API_TOKEN", "MODELSCOPE_TOKEN"];
    const set = env.filter((n) => process.env[n]);
    if (set.length) process.stderr.write(`note: ${set.join(" and ")} still set in this environment\n`);
  } catch (err) {
    throw reportError(err, false);
  }
}

export async function whoamiAction(flags: { hub?: "hf" | "ms"; json: boolean }): Promise<void> {
  const s = loadSettings();
  const rows: {
    hub: string;
    user?: string;
    orgs?: string[];
    source?: string;
    problem?: string;
    code?: string;
  }[] = [];
  for (const hub of flags.hub ? [flags.hub] : (["hf", "ms"] as const)) {
    const client = hub === "hf" ? new HfHub(s.hfEndpoint, s.hfToken) : new MsHub(s.msEndpoint, s.msToken);
    const source = hub === "hf" ? s.hfTokenSource : s.msTokenSource;
    const malformed = hub === "hf" ? s.hfTokenProblem : s.msTokenProblem;
    if (malformed) {
      rows.push({ hub, source, problem: malformed, code: "AUTH_INVALID" });
      continue;
    }
    try {
      const me = await client.whoami();
      rows.push({ hub, user: me.name, orgs: me.orgs, source });
    } catch (err) {
      const e = err instanceof HubferryError ? err : new HubferryError("NETWORK", String(err));
      rows.push({ hub, source, problem: e.message, code: e.code });
    }
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
  else
    for (const r of rows)
      process.stdout.write(
        r.user
          ? `${r.hub}: ${r.user}${r.orgs?.length ? ` (orgs: ${r.orgs.join(", ")})` : ""}  [token from ${r.source}]\n`
          : `${r.hub}: not logged in: ${r.problem}\n`,
      );
  const failed = rows.filter((r) => !r.user);
  if (failed.length === rows.length)
    throw reportError(
      new HubferryError(failed[0]!.code as never, failed[0]!.problem!, "run `hubferry login --hub hf|ms`"),
      false,
    );
}
