import { Option } from "commander";

/** The `--hub` of the toolbox commands; apart from toolbox-common.ts, which loads the hubs. */
export const hubOption = () =>
  new Option(
    "--hub <hub>",
    "hf (Hugging Face, the default) or ms (ModelScope); an ms: prefix says the same",
  ).choices(["hf", "ms"]);
