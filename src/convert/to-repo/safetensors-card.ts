import YAML from "yaml";

/** What the card of a repo of safetensors dequantized from a GGUF says. */
export interface SafetensorsCardFacts {
  repoId: string;
  /** The GGUF as a person reads it: `hf:org/name@commit/file.gguf`, or a file. */
  sourceLabel: string;
  license?: string;
  hfArchitecture: string;
  /** The GGUF's own types (what the weights were stored as), e.g. Q4_K, Q6_K, F32. */
  sourceTypes: string[];
  dtype: string;
  bytes: number;
  version: string;
}

/**
 * The README.md of a repo holding safetensors dequantized from a GGUF. It says plainly that the
 * weights carry the GGUF's quantization error: dequantizing does not bring back the original.
 */
export function safetensorsCard(f: SafetensorsCardFacts): string {
  const meta = { license: f.license ?? "other", library_name: "transformers", tags: ["safetensors"] };
  const title = f.repoId.split("/")[1] ?? f.repoId;
  const lossy = f.sourceTypes.some((t) => !["F32", "F16", "BF16"].includes(t));
  const body = [
    `# ${title}`,
    "",
    `\`model.safetensors\` (${f.dtype}, ${f.hfArchitecture}, ${f.bytes} bytes) and \`config.json\`, converted from \`${f.sourceLabel}\` (${f.sourceTypes.join(", ")}) with hubferry ${f.version}.`,
    "",
    lossy
      ? "The GGUF was quantized: these weights are its dequantized values, with its quantization error, not the original model's."
      : "The GGUF held float weights: these are the same values.",
    "",
  ];
  return `---\n${YAML.stringify(meta)}---\n\n${body.join("\n")}`;
}
