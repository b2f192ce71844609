import { Command, Option } from "commander";
import { OUTPUT_TYPES } from "../convert/type-policy.js";

export interface ConvertFlags {
  to: string;
  type: string;
  dtype: string;
  quantization?: string;
  output?: string;
  repo?: string;
  public: boolean;
  destEndpoint?: string;
  revision?: string;
  name?: string;
  pre?: string;
  dryRun: boolean;
  json: boolean;
}

export function convertCommand(): Command {
  return new Command("convert")
    .description(
      "convert a Hugging Face checkpoint (safetensors) to GGUF, or a GGUF back to safetensors, streamed: from local files or straight from a hub repo by range, nothing staged on disk but the output",
    )
    .argument(
      "<source>",
      "--to gguf: a checkpoint folder; --to safetensors: a .gguf file; or a repo as hf:owner/name or ms:owner/name",
    )
    .addOption(
      new Option("--to <format>", "the output format").choices(["gguf", "safetensors"]).makeOptionMandatory(),
    )
    .addOption(
      new Option(
        "--type <type>",
        "the GGUF type: f32, f16, bf16 and q8_0 as llama.cpp's converter writes them, the others as llama-quantize mixes them",
      )
        .choices([...OUTPUT_TYPES])
        .default("q4_k_m"),
    )
    .addOption(
      new Option("--dtype <dtype>", "--to safetensors: the tensors' dtype")
        .choices(["f32", "f16", "bf16"])
        .default("f32"),
    )
    .option("--quantization <q>", "--to safetensors from a repo: which of its GGUF files (e.g. Q4_K_M)")
    .option(
      "--output <path>",
      "the GGUF file, or the safetensors folder; where the output goes (written under a temporary name, renamed when complete)",
    )
    .option(
      "--repo <dest>",
      "upload to this hub repo instead of --output (hf:owner/name or ms:owner/name): the GGUF with the source's config and tokenizer files, or model.safetensors with config.json, and a card; made as it is uploaded, never on disk",
    )
    .option("--public", "--repo: a repo that has to be created is public (default: private)", false)
    .option(
      "--dest-endpoint <url>",
      "--repo: the destination's own server (a mirror, a self-hosted hub); it gets only HUBFERRY_DEST_TOKEN",
    )
    .option("--revision <rev>", "a repo source: branch, tag or commit (default: the default branch)")
    .option("--name <name>", "general.name in the GGUF (default: the source's name)")
    .option(
      "--pre <name>",
      "the BPE pre-tokenizer, when the tokenizer's is not one llama.cpp knows (e.g. llama-bpe, qwen2)",
    )
    .option(
      "--dry-run",
      "print the plan (architecture, every tensor's name, shape and type, the output size) and write nothing",
      false,
    )
    .option("--json", "one JSON event per line on stdout", false)
    .action(async (source: string, flags: ConvertFlags) =>
      (await import("./convert-action.js")).convertAction(source, flags),
    );
}
