import type { HParams, JsonObject } from "./hparams.js";
import type { KvList } from "./text-model-kv.js";

/**
 * One Hugging Face architecture as llama.cpp's converter treats it: the GGUF architecture, the
 * tensors it has, how their values change on the way (Q/K permutation, gemma's norm offset, cut
 * embedding rows), the tensors it generates, the keys it writes in its order, and how its
 * vocabulary is read. Types only, so the families can live in files of their own.
 */
export type GgufArchitecture = "llama" | "qwen2" | "qwen3" | "gemma" | "gemma2" | "gemma3" | "phi3";

/**
 * Upstream's `set_vocab` choice. llama: SentencePiece, then a Llama HF tokenizer, then BPE; qwen:
 * SentencePiece if there is a tokenizer.model, else BPE; sentencepiece: SentencePiece only
 * (gemma 1/2); gemma3: SentencePiece if there is a tokenizer.model, else BPE; phi3: BPE when
 * tokenizer_config.json names GPT2Tokenizer, else phi3's own SentencePiece reader.
 */
export type VocabKind = "llama" | "qwen" | "sentencepiece" | "gemma3" | "phi3";

export interface GeneratedTensor {
  name: string;
  values: Float32Array;
}

export interface Architecture {
  gguf: GgufArchitecture;
  /** GGUF base tensor names the architecture has (upstream MODEL_TENSORS). */
  tensors: ReadonlySet<string>;
  undoPermute: boolean;
  /** HF names that lack the "model." prefix upstream adds (the bare `LlamaModel` / `Qwen2Model`). */
  prefixModel: boolean;
  /**
   * The model keys in upstream's order. Most families call `TextModel.set_gguf_parameters` and
   * add or re-set keys after it (a re-set key keeps its first place); gemma 1/2 and phi3 write
   * their own list instead.
   */
  modelKv(hp: HParams, blockCount: number, fileType: number, warnings: string[]): KvList;
  /** Keys upstream sets while it generates tensors, so right after general.architecture (phi3). */
  earlyKv?(hp: HParams): KvList;
  /** Tensors upstream generates (rope_freqs, phi3's rope factors); they come first in the file. */
  generatedTensors?(hp: HParams): GeneratedTensor[];
  vocab: VocabKind;
  /**
   * Keys upstream sets after a SentencePiece vocabulary (gemma: add_space_prefix = false; gemma 1
   * also eot = 107, its CodeGemma prefix/middle/suffix/fsep ids having no GGUF key). For the
   * SentencePiece reader to apply once it lands; a BPE vocabulary gets none of them.
   */
  afterSentencePiece?: KvList;
  /** transformers' config class defaults, for fields a config.json leaves out (see gguf-plan). */
  configDefaults?: JsonObject;
  /** gemma: HF stores RMS norm weights as w - 1 (the model adds 1); upstream writes w. */
  normShift?: boolean;
  /** gemma 1/2: upstream drops lm_head.weight (llama.cpp uses token_embd as the output). */
  dropLmHead?: boolean;
  /** gemma3: token_embd rows past the tokenizer's real vocabulary are cut off. */
  trimEmbeddings?: boolean;
}
