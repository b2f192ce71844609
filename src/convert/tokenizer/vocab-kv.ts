import { HubferryError } from "../../core/errors.js";
import type { Architecture } from "../arch/architectures.js";
import type { Json, JsonObject } from "../arch/hparams.js";
import type { Checkpoint } from "../checkpoint/read-checkpoint.js";
import { readJson } from "../checkpoint/read-checkpoint.js";
import { gguf } from "../gguf/gguf-value.js";
import type { MetadataBuilder } from "../gguf/metadata-builder.js";
import { bpeVocab } from "./bpe-vocab.js";
import { llamaHfVocab } from "./llama-hf-vocab.js";
import { phi3SentencePieceVocab } from "./phi3-vocab.js";
import { preTokenizerName } from "./pre-tokenizer.js";
import { parseSentencePieceModel } from "./sentencepiece-model.js";
import { type ScoredVocab, sentencePieceVocab } from "./sentencepiece-vocab.js";
import { SpecialVocab, type SpecialVocabFiles } from "./special-vocab.js";
import {
  readAddedTokens,
  readTokenizerFiles,
  readTokenizerModel,
  type TokenizerFiles,
} from "./tokenizer-files.js";

// The tokenizer keys, chosen as upstream chooses the vocabulary reader for each architecture:
// SentencePiece (tokenizer.model), Llama's byte-fallback BPE (gguf-py's LlamaHfVocab) and GPT-2
// style BPE (what Llama 3, Qwen and Mistral's newer tokenizers are).

/**
 * A tokenizer.json upstream reads as Llama HF: BPE with byte fallback and a Sequence decoder,
 * and not Llama 3's (ignore_merges without byte fallback).
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

/** The `llama` tokenizer model's keys (SentencePiece and Llama HF), then the special vocabulary. */
async function writeScoredVocab(
  checkpoint: Checkpoint,
  meta: MetadataBuilder,
  vocab: ScoredVocab,
  files: SpecialVocabFiles,
): Promise<void> {
  meta.set("tokenizer.ggml.model", gguf.str("llama"));
  meta.set("tokenizer.ggml.pre", gguf.str("default"));
  meta.set("tokenizer.ggml.tokens", gguf.strings(vocab.tokens));
  meta.set("tokenizer.ggml.scores", gguf.f32s(vocab.scores));
  meta.set("tokenizer.ggml.token_type", gguf.i32s(vocab.types));
  new SpecialVocab(files, checkpoint.config, {
    loadMerges: false,
    nVocab: vocab.tokens.length,
    chatTemplateFile: await chatTemplateFile(checkpoint),
  }).writeTo(meta);
}

/**
/**
 * Whether upstream reads this checkpoint's vocabulary with SentencePiece (see VocabKind): a
 * tokenizer.model wins wherever it is (llama, qwen, gemma3); gemma 1/2 read nothing else; phi3
 * reads it unless tokenizer_config.json names GPT2Tokenizer.
 */
function readsSentencePiece(
  arch: Architecture,
  checkpoint: Checkpoint,
  config: JsonObject | undefined,
): boolean {
  if (arch.vocab === "sentencepiece") return true;
  if (arch.vocab === "phi3") {
    // Upstream reads tokenizer_config.json['tokenizer_class'], a KeyError when it is missing.
    if (config && !("tokenizer_class" in config))
      throw new HubferryError(
        "BAD_INPUT",
        `${checkpoint.source.name}'s tokenizer_config.json has no tokenizer_class, which phi3 reads to choose its vocabulary reader (llama.cpp's converter fails on it too)`,
        'add "tokenizer_class" to tokenizer_config.json (GPT2Tokenizer for a BPE tokenizer.json, else LlamaTokenizer)',
      );
    return config?.tokenizer_class !== "GPT2Tokenizer";
  }
  return checkpoint.files.includes("tokenizer.model");
}

/**
 * phi3's own SentencePiece reader (see phi3-vocab.ts), then the special vocabulary as for any
 * SentencePiece vocabulary. vocab_size is read as upstream's `hparams.get`: config.json's, else
 * Phi3Config's default (AutoConfig fills it in).
 */
async function writePhi3Vocab(
  checkpoint: Checkpoint,
  arch: Architecture,
  meta: MetadataBuilder,
  files: TokenizerFiles | undefined,
  config: JsonObject | undefined,
): Promise<void> {
  const { source } = checkpoint;
  if (!checkpoint.files.includes("tokenizer.model"))
    throw new HubferryError(
      "BAD_INPUT",
      `${source.name} has no tokenizer.model, which phi3 reads its vocabulary from unless tokenizer_config.json's tokenizer_class is GPT2Tokenizer`,
      "convert a checkpoint that ships its SentencePiece tokenizer.model",
    );
  const vocabSize =
    "vocab_size" in checkpoint.config ? checkpoint.config.vocab_size : arch.configDefaults?.vocab_size;
  if (typeof vocabSize !== "number" || !Number.isInteger(vocabSize))
    throw new HubferryError(
      "BAD_INPUT",
      `${source.name}'s config.json has a vocab_size of ${JSON.stringify(vocabSize)}, not a whole number`,
      "fix config.json's vocab_size",
    );
  const vocab = phi3SentencePieceVocab({
    model: parseSentencePieceModel(await readTokenizerModel(source)),
    vocabSize,
    addedTokens: await readAddedTokens(source),
    tokenizerConfig: config,
    tokenizerJsonAdded: files?.json.added_tokens ?? [],
  });
  await writeScoredVocab(checkpoint, meta, vocab, { ...files, config });
}

/**
 * Upstream's order: SentencePiece where readsSentencePiece says; else, for llama, a byte-fallback
 * BPE tokenizer.json is read as Llama HF; else GPT-2 style BPE.
 */
export async function writeVocab(
  checkpoint: Checkpoint,
  arch: Architecture,
  meta: MetadataBuilder,
  options: { pre?: string },
): Promise<void> {
  const { source } = checkpoint;
  const files = await readTokenizerFiles(source);
  const config = files ? files.config : await readJson(source, "tokenizer_config.json");
  if (arch.vocab === "llama" && config && typeof config.add_prefix_space === "boolean")
    meta.set("tokenizer.ggml.add_space_prefix", gguf.bool(config.add_prefix_space));
  const vocabSize =
    typeof checkpoint.config.vocab_size === "number" ? checkpoint.config.vocab_size : undefined;
  if (readsSentencePiece(arch, checkpoint, config)) {
    if (arch.vocab === "phi3") {
      await writePhi3Vocab(checkpoint, arch, meta, files, config);
      return;
    }
    if (!checkpoint.files.includes("tokenizer.model"))
      throw new HubferryError(
        "BAD_INPUT",
        `${source.name} has no tokenizer.model, which ${arch.gguf} reads its vocabulary from`,
        "convert a checkpoint that ships its SentencePiece tokenizer.model",
      );
    const model = parseSentencePieceModel(await readTokenizerModel(source));
    const vocab = sentencePieceVocab(model, vocabSize, await readAddedTokens(source), config);
    await writeScoredVocab(checkpoint, meta, vocab, { ...files, config });
    meta.setAll(arch.afterSentencePiece ?? []);
  } else if (!files)
    throw new HubferryError(
      "BAD_INPUT",
      `${source.name} has no tokenizer (neither tokenizer.model nor tokenizer.json)`,
      "convert a checkpoint that ships its tokenizer files: a SentencePiece tokenizer.model, or a BPE tokenizer.json",
    );
  else if (arch.vocab === "llama" && isLlamaHfTokenizer(files)) {
    const vocab = llamaHfVocab(files, await readJson(source, "special_tokens_map.json"));
    await writeScoredVocab(checkpoint, meta, vocab, files);
  } else {
    const { tokens, types } = bpeVocab(files, vocabSize);
    meta.set("tokenizer.ggml.model", gguf.str("gpt2"));
    meta.set("tokenizer.ggml.pre", gguf.str(preTokenizerName(files, options.pre)));
    meta.set("tokenizer.ggml.tokens", gguf.strings(tokens));
    meta.set("tokenizer.ggml.token_type", gguf.i32s(types));
    new SpecialVocab(files, checkpoint.config, {
      loadMerges: true,
      chatTemplateFile: await chatTemplateFile(checkpoint),
    }).writeTo(meta);
  }
  // CodeLlama (a vocab_size of 32016): upstream reads the special vocabulary again for its infill
  // tokens and EOT, ids fixed. gguf-py's writer has keys for none but EOT, so only it is added,
  // along with whatever the re-read sets again (the add-BOS/EOS flags, the chat template).
  if (arch.vocab === "llama" && checkpoint.config.vocab_size === 32016) {
    const infill = new SpecialVocab({ ...files, config }, checkpoint.config, {
      loadMerges: false,
      kinds: ["prefix", "suffix", "middle", "eot"],
      chatTemplateFile: await chatTemplateFile(checkpoint),
    });
    infill.setId("prefix", 32007);
    infill.setId("suffix", 32008);
    infill.setId("middle", 32009);
    infill.setId("eot", 32010);
    infill.writeTo(meta);
  }
  // Upstream's fix for IBM Granite's small models, which LlamaModel applies by vocabulary size.
  if (arch.vocab === "llama" && (checkpoint.config.vocab_size ?? 32000) === 49152)
    meta.set("tokenizer.ggml.add_bos_token", gguf.bool(false));
}
