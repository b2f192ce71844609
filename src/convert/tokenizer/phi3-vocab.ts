import { HubferryError } from "../../core/errors.js";
import type { JsonObject } from "../arch/hparams.js";
import { TOKEN_TYPE } from "./bpe-vocab.js";
import type { SentencePieceModel } from "./sentencepiece-model.js";
import { addedTokensDecoder, pieceTokenType, type ScoredVocab } from "./sentencepiece-vocab.js";
import type { AddedToken } from "./tokenizer-files.js";

/** What phi3's reader reads: the model, the vocabulary size and the added tokens of three files. */
export interface Phi3VocabInput {
  model: SentencePieceModel;
  vocabSize: number;
  /** added_tokens.json: text to id (ids past vocab_size skipped). */
  addedTokens: Record<string, number> | undefined;
  tokenizerConfig: JsonObject | undefined;
  /** tokenizer.json's added_tokens ([] without tokenizer.json). */
  tokenizerJsonAdded: readonly AddedToken[];
}

const outOfRange = (what: string, id: number, size: number) =>
  new HubferryError(
    "BAD_INPUT",
    `${what} has token id ${id}, past phi3's vocab_size of ${size} (llama.cpp's converter fails on it too)`,
    "check config.json's vocab_size against the tokenizer files",
  );

/**
 * phi3's SentencePiece vocabulary, as llama.cpp's `Phi3MiniModel.set_vocab` reads it (Phi-3-mini
 * and -medium ship a tokenizer.model). It is its own reader, not the generic one
 * (sentencepiece-vocab.ts), and differs from it in ways that change the GGUF:
 * - vocab_size is config.json's (with Phi3Config's default), a 0 included; a model with more
 *   pieces than that is an error upstream (an IndexError), not cut;
 * - added_tokens_decoder's tokens are control when special, else user-defined: no check for
 *   control-shaped text, and their "▁" kept;
 * - then tokenizer.json's added_tokens, the same way, over everything before them;
 * - an id past vocab_size in either is an error upstream (an IndexError), where added_tokens.json's
 *   are skipped.
 * Ids the model lacks are "[PAD<i>]" (unused, score -10000) and every added token scores -1000, as
 * in the generic reader.
 */
export function phi3SentencePieceVocab(input: Phi3VocabInput): ScoredVocab {
  const { model, vocabSize: size } = input;
  if (model.pieces.length > size)
    throw new HubferryError(
      "BAD_INPUT",
      `tokenizer.model has ${model.pieces.length} pieces, more than phi3's vocab_size of ${size} (llama.cpp's converter fails on it too)`,
      "check config.json's vocab_size against tokenizer.model",
    );
  const tokens = Array.from({ length: size }, (_, i) => `[PAD${i}]`);
  const scores = new Array<number>(size).fill(-10000);
  const types = new Array<number>(size).fill(TOKEN_TYPE.UNUSED);
  model.pieces.forEach((p, id) => {
    tokens[id] = p.piece;
    scores[id] = p.score;
    types[id] = pieceTokenType(p);
  });
  for (const [content, id] of Object.entries(input.addedTokens ?? {})) {
    if (id >= size) continue;
    tokens[id] = content;
    scores[id] = -1000;
    types[id] = TOKEN_TYPE.USER_DEFINED;
  }
  const added = (what: string, id: number, content: string, special: boolean) => {
    if (id >= size) throw outOfRange(what, id, size);
    tokens[id] = content;
    scores[id] = -1000;
    types[id] = special ? TOKEN_TYPE.CONTROL : TOKEN_TYPE.USER_DEFINED;
  };
  for (const t of addedTokensDecoder(input.tokenizerConfig))
    added("tokenizer_config.json's added_tokens_decoder", t.id, t.content, t.special);
  for (const t of input.tokenizerJsonAdded)
    added("tokenizer.json's added_tokens", t.id, t.content, t.special === true);
  return { tokens, scores, types };
}
