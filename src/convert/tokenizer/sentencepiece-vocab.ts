import { z } from "zod";
import { HubferryError } from "../../core/errors.js";
import type { Json, JsonObject } from "../arch/hparams.js";
import { looksSpecial, TOKEN_TYPE } from "./bpe-vocab.js";
import { PIECE_TYPE, type SentencePiece, type SentencePieceModel } from "./sentencepiece-model.js";

/** A vocabulary with scores, as the `llama` tokenizer model (SentencePiece, Llama HF) stores it. */
export interface ScoredVocab {
  tokens: string[];
  scores: number[];
  types: number[];
}

/** added_tokens.json: token text to id. */
export const AddedTokensJson = z.record(z.string(), z.number().int().nonnegative());

/** tokenizer_config.json's added_tokens_decoder: id to the token (only `content` and `special` read). */
const AddedTokensDecoder = z.record(
  z.string().regex(/^\d+$/, "an id"),
  z.object({ content: z.string() }).passthrough(),
);

/** Python's truthiness, for the `special` flag upstream reads with `.get("special")`. */
const truthy = (v: Json | undefined): boolean =>
  v !== undefined &&
  v !== null &&
  v !== "" &&
  v !== false &&
  v !== 0 &&
  !(Array.isArray(v) && !v.length) &&
  !(typeof v === "object" && !Array.isArray(v) && !Object.keys(v).length);

/** One added_tokens_decoder entry: its id, text and whether upstream counts it special. */
export interface DecoderToken {
  id: number;
  content: string;
  special: boolean;
}

/**
 * tokenizer_config.json's added_tokens_decoder, checked. Absent is none; anything else that is
 * not ids to tokens (null included, on which upstream's `.items()` fails) is refused. The entries
 * come in ascending order of ids (JavaScript's order for integer keys) rather than the file's,
 * which changes nothing: each id is written once.
 */
export function addedTokensDecoder(tokenizerConfig: JsonObject | undefined): DecoderToken[] {
  const raw = tokenizerConfig?.added_tokens_decoder;
  if (raw === undefined) return [];
  const decoder = AddedTokensDecoder.safeParse(raw);
  if (!decoder.success)
    throw new HubferryError(
      "BAD_INPUT",
      `tokenizer_config.json's added_tokens_decoder is not a map of ids to tokens: ${decoder.error.issues[0]?.message}`,
      "re-download tokenizer_config.json",
    );
  return Object.entries(decoder.data).map(([key, token]) => ({
    id: Number(key),
    content: token.content,
    special: truthy((token as JsonObject).special),
  }));
}

/**
 * A piece's token type as upstream asks sentencepiece for it (IsUnknown, IsControl, IsUnused,
 * IsByte, else normal): a piece the model calls user-defined is normal.
 */
export function pieceTokenType(p: SentencePiece): number {
  return [PIECE_TYPE.UNKNOWN, PIECE_TYPE.CONTROL, PIECE_TYPE.UNUSED, PIECE_TYPE.BYTE].includes(
    p.type as 2 | 3 | 5 | 6,
  )
    ? p.type
    : TOKEN_TYPE.NORMAL;
}

/**
 * The vocabulary as upstream's `_create_vocab_sentencepiece` lays it out: one entry per id below
 * the model's vocab_size (config.json's, else the model's piece count), pieces past it dropped,
 * ids the model lacks as "[PAD<i>]" (unused, score -10000); then added_tokens.json's tokens as
 * user-defined and tokenizer_config.json's added_tokens_decoder as control (special or shaped
 * like a control token) or user-defined (its "▁" turned back into spaces), both with score -1000.
 * A piece the model calls user-defined stays normal here, as upstream asks sentencepiece only
 * whether a piece is unknown, control, unused or byte.
 */
export function sentencePieceVocab(
  model: SentencePieceModel,
  vocabSize: number | undefined,
  addedTokens: z.infer<typeof AddedTokensJson> | undefined,
  tokenizerConfig: JsonObject | undefined,
): ScoredVocab {
  // `or`: a vocab_size of 0 counts as none, as upstream's `or` has it.
  const size = vocabSize || model.pieces.length;
  const tokens = Array.from({ length: size }, (_, i) => `[PAD${i}]`);
  const scores = new Array<number>(size).fill(-10000);
  const types = new Array<number>(size).fill(TOKEN_TYPE.UNUSED);
  model.pieces.slice(0, size).forEach((p, id) => {
    tokens[id] = p.piece;
    scores[id] = p.score;
    types[id] = pieceTokenType(p);
  });
  for (const [content, id] of Object.entries(addedTokens ?? {})) {
    if (id >= size) continue;
    tokens[id] = content;
    scores[id] = -1000;
    types[id] = TOKEN_TYPE.USER_DEFINED;
  }
  for (const token of addedTokensDecoder(tokenizerConfig)) {
    const id = token.id;
    if (id >= size) continue;
    scores[id] = -1000;
    if (token.special || looksSpecial(token.content)) {
      types[id] = TOKEN_TYPE.CONTROL;
      tokens[id] = token.content;
    } else {
      types[id] = TOKEN_TYPE.USER_DEFINED;
      tokens[id] = token.content.replaceAll("▁", " ");
    }
  }
  return { tokens, scores, types };
}
