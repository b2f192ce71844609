import YAML from "yaml";

/** What the card of a converted repo says: where the weights came from, and what they became. */
export interface GgufCardFacts {
  /** The destination repo's id (its title). */
  repoId: string;
  /** The GGUF file in the repo. */
  fileName: string;
  /** The source as a person reads it: `hf:org/name@commit`, or a folder. */
  sourceLabel: string;
  /** The source's Hub id, for `base_model` (only for a source on Hugging Face, where the id means it). */
  baseModel?: string;
  /** The source card's licence, which the converted weights keep. */
  license?: string;
  hfArchitecture: string;
  architecture: string;
  type: string;
  bytes: number;
  version: string;
}

/**
 * The README.md of a repo holding a converted GGUF. The front matter is what the hubs index: the
 * source's licence, `base_model` with relation `quantized` (the Hub's term for any re-encoding of
 * the same weights) and the `gguf` tag; the body names the source, the type and the tool, so the
 * file can be traced back to the exact commit it was made from.
 */
export function ggufCard(f: GgufCardFacts): string {
  const meta: Record<string, unknown> = { license: f.license ?? "other" };
  if (f.baseModel) {
    meta.base_model = f.baseModel;
    meta.base_model_relation = "quantized";
  }
  meta.tags = ["gguf", f.architecture];
  const title = f.repoId.split("/")[1] ?? f.repoId;
  const body = [
    `# ${title}`,
    "",
    `\`${f.fileName}\`: ${f.type.toUpperCase()} GGUF (${f.architecture}) of \`${f.sourceLabel}\` (${f.hfArchitecture}), ${f.bytes} bytes.`,
    "",
    `Converted with hubferry ${f.version} (\`hubferry convert --to gguf --type ${f.type}\`), which writes what llama.cpp's`,
    "`convert_hf_to_gguf.py` and `llama-quantize` write for the same checkpoint. The tokenizer and config",
    "files beside it are the source's, unchanged.",
    "",
    "## Use",
    "",
    "```sh",
    `llama-cli -m ${f.fileName} -p "Hello"`,
    "```",
    "",
  ];
  return `---\n${YAML.stringify(meta)}---\n\n${body.join("\n")}`;
}
