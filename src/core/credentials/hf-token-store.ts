import { readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import ini from "ini";
import { writeSecretFile } from "../atomic-write.js";
import { hfTokenFile } from "../config.js";

/**
 * The Hugging Face login, kept where huggingface_hub keeps it (utils/_auth.py): the active token
 * in `$HF_HOME/token` (no newline) and every saved token in `stored_tokens` beside it (INI,
 * `[name]` / `hf_token = ...`); both 0600, their folder 0700.
 */
export function hfStoredTokensFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(hfTokenFile(env)), "stored_tokens");
}

export async function saveHfLogin(token: string, tokenName: string, env: NodeJS.ProcessEnv = process.env) {
  const storedPath = hfStoredTokensFile(env);
  const stored = ini.parse(await readFile(storedPath, "utf8").catch(() => "")) as Record<
    string,
    Record<string, string>
  >;
  stored[tokenName] = { ...(stored[tokenName] ?? {}), hf_token: token };
  const sorted = Object.fromEntries(
    Object.keys(stored)
      .sort()
      .map((k) => [k, stored[k]!]),
  );
  await writeSecretFile(storedPath, ini.stringify(sorted, { whitespace: true }));
  await writeSecretFile(hfTokenFile(env), token);
}

/** Removes the active token and every stored one, as `huggingface_hub.logout()` does. */
export async function removeHfLogin(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const removed: string[] = [];
  for (const path of [hfTokenFile(env), hfStoredTokensFile(env)]) {
    const existed = await readFile(path).then(
      () => true,
      () => false,
    );
    await rm(path, { force: true });
    if (existed) removed.push(path);
  }
  return removed;
}
