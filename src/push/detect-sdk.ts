import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { HubferryError } from "../core/errors.js";
import { cardField } from "./push.js";

const SDKS = ["gradio", "streamlit", "docker", "static"];

/**
 * A space's SDK from its folder, as the hub would run it: README front matter `sdk:` wins, then
 * an `app.py` importing gradio or streamlit, then a Dockerfile, then a bare index.html. Otherwise
 * refused: a guessed SDK publishes an app that does not run.
 */
export async function detectSpaceSdk(dir: string): Promise<string> {
  const fromCard = await cardField(dir, "sdk");
  if (fromCard && SDKS.includes(fromCard)) return fromCard;
  const app = await readFile(join(dir, "app.py"), "utf8").catch(() => undefined);
  if (app !== undefined) {
    if (/^\s*(import|from)\s+gradio\b/m.test(app)) return "gradio";
    if (/^\s*(import|from)\s+streamlit\b/m.test(app)) return "streamlit";
  }
  const has = (name: string) =>
    readFile(join(dir, name)).then(
      () => true,
      () => false,
    );
  if (await has("Dockerfile")) return "docker";
  if (app === undefined && (await has("index.html"))) return "static";
  throw new HubferryError(
    "BAD_INPUT",
    `cannot tell the SDK of the space in ${dir} (no README sdk:, no app.py importing gradio or streamlit, no Dockerfile)`,
    "say it with --sdk gradio|streamlit|docker|static",
  );
}
