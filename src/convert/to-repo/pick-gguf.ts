import { HubferryError } from "../../core/errors.js";

/** The repo's GGUF file: the only one, or the one whose name holds `quantization` (case aside). */
export function pickGguf(paths: string[], quantization: string | undefined): string {
  const ggufs = paths.filter((f) => f.toLowerCase().endsWith(".gguf"));
  const matching = quantization
    ? ggufs.filter((f) => f.toLowerCase().includes(quantization.toLowerCase()))
    : ggufs;
  if (matching.length === 1) return matching[0] as string;
  throw new HubferryError(
    "BAD_INPUT",
    matching.length === 0
      ? `the repo has no GGUF file${quantization ? ` matching ${quantization}` : ""}`
      : `the repo has ${matching.length} GGUF files${quantization ? ` matching ${quantization}` : ""}`,
    ggufs.length
      ? `pick one with --quantization (files: ${ggufs.slice(0, 8).join(", ")})`
      : "convert a repo that holds a .gguf file",
  );
}
