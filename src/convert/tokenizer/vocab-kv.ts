import { HubferryError } from "../../core/errors.js";
import type { Architecture } from "../arch/architectures.js";
import type { Json, JsonObject } from "../arch/hparams.js";
import type { Checkpoint } from "../checkpoint/read-checkpoint.js";
import { readJson } from "../checkpoint/read-checkpoint.js";
import { gguf } from "../gguf/gguf-value.js";
import type { MetadataBuilder } from "../gguf/metadata-builder.js";
import { bpeVocab } from "./bpe-vocab.js";
import { preTokenizerName } from "./pre-tokenizer.js";
import { SpecialVocab } from "./special-vocab.js";
import { readTokenizerFiles, type TokenizerFiles } from "./tokenizer-files.js";

/**
 * The tokenizer keys, chosen as upstream chooses the vocabulary reader for each architecture. BPE
 * (GPT-2 style, what Llama 3, Qwen and Mistral's newer tokenizers are) is supported; SentencePiece
 * and Llama's byte-fallback BPE are refused with a clear error for now.
 */
function isLlamaHfTokenizer(files: TokenizerFiles): boolean {
  const model = files.json.model;
  const llama3 = model.type === "BPE" && model.ignore_merges === true && model.byte_fallback === false;
  return (
    !llama3 && model.type === "BPE" && model.byte_fallback === true && files.json.decoder?.type === "Sequence"
  );
}

async function chatTemplateFile(checkpoint: Checkpoint): Promise<Json | undefined> {
  const { source, files } = checkpoint;
  const jinja = await source.readText("chat_template.jinja");
  if (jinja !== undefined) {
    const extra = files
      .filter((f) => f.startsWith("additional_chat_templates/") && f.endsWith(".jinja"))
      .sort();
    if (!extra.length) return jinja;
    const list: JsonObject[] = [{ name: "default", template: jinja }];
    for (const f of extra)
      list.push({
        name: f.slice("additional_chat_templates/".length, -".jinja".length),
        template: (await source.readText(f)) ?? "",
      });
    return list;
  }
  return (await readJson(source, "chat_template.json"))?.chat_template ?? undefined;
}

/**
 * Whether upstream reads this checkpoint's vocabulary with SentencePiece (see VocabKind). The
 * SentencePiece reader, once it lands, ends with `meta.setAll(arch.afterSentencePiece ?? [])`.
 */
function readsSentencePiece(
  arch: Architecture,
  checkpoint: Checkpoint,
  files: TokenizerFiles | undefined,
): boolean {
  if (arch.vocab === "sentencepiece") return true;
  if (arch.vocab === "phi3") return files?.config?.tokenizer_class !== "GPT2Tokenizer";
  return checkpoint.files.includes("tokenizer.model");
}

export async function writeVocab(
  checkpoint: Checkpoint,
  arch: Architecture,
  meta: MetadataBuilder,
  options: { pre?: string },
): Promise<void> {
  const files = await readTokenizerFiles(checkpoint.source);
  if (arch.vocab === "llama" && files?.config && typeof files.config.add_prefix_space === "boolean")
    meta.set("tokenizer.ggml.add_space_prefix", gguf.bool(files.config.add_prefix_space));
  if (readsSentencePiece(arch, checkpoint, files))
    throw new HubferryError(
      "BAD_INPUT",
      `${checkpoint.source.name} has a SentencePiece tokenizer (tokenizer.model), which the converter does not read yet` +
        ({
          phi3: " (phi3 reads BPE only when tokenizer_config.json says GPT2Tokenizer)",
          sentencepiece: ` (${arch.gguf} reads its vocabulary from tokenizer.model only)`,
        }[arch.vocab as string] ?? ""),
      "use llama.cpp's convert_hf_to_gguf.py for this model for now",
    );
  if (!files)
    throw new HubferryError(
      "BAD_INPUT",
      `${checkpoint.source.name} has no tokenizer.json`,
      "convert a checkpoint that ships its tokenizer files",
    );
  if (arch.vocab === "llama" && isLlamaHfTokenizer(files))
    throw new HubferryError(
      "BAD_INPUT",
      `${checkpoint.source.name} has a Llama byte-fallback BPE tokenizer, which the converter does not read yet`,
      "use llama.cpp's convert_hf_to_gguf.py for this model for now",
    );
  const vocabSize = checkpoint.config.vocab_size;
  const { tokens, types } = bpeVocab(files, typeof vocabSize === "number" ? vocabSize : undefined);
  meta.set("tokenizer.ggml.model", gguf.str("gpt2"));
  meta.set("tokenizer.ggml.pre", gguf.str(preTokenizerName(files, options.pre)));
  meta.set("tokenizer.ggml.tokens", gguf.strings(tokens));
  meta.set("tokenizer.ggml.token_type", gguf.i32s(types));
  new SpecialVocab(files, checkpoint.config, {
    loadMerges: true,
    chatTemplateFile: await chatTemplateFile(checkpoint),
  }).writeTo(meta);
}
