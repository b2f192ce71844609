import { z } from "zod";
import { HubferryError } from "../../core/errors.js";
import type { JsonObject } from "../arch/hparams.js";
import { readJson } from "../checkpoint/read-checkpoint.js";
import type { CheckpointSource } from "../checkpoint/source.js";
import { MAX_TOKENIZER_MODEL_BYTES } from "./sentencepiece-model.js";
import { AddedTokensJson } from "./sentencepiece-vocab.js";

/** The parts of tokenizer.json and tokenizer_config.json the converter reads, parsed. */
const AddedToken = z.object({
  id: z.number().int().nonnegative(),
  content: z.string(),
  special: z.boolean().optional(),
  normalized: z.boolean().optional(),
});
export type AddedToken = z.infer<typeof AddedToken>;

/**
 * The vocabulary and merges are checked in place rather than parsed into copies: a large
 * vocabulary (150,000 entries) would otherwise be held twice while the GGUF is planned, which is
 * most of a conversion's peak memory.
 */
const isVocab = (v: unknown): v is Record<string, number> | unknown[] =>
  Array.isArray(v) ||
  (typeof v === "object" &&
    v !== null &&
    Object.values(v).every((id) => Number.isInteger(id) && (id as number) >= 0));
const isMerges = (v: unknown): v is Array<string | string[]> =>
  Array.isArray(v) &&
  v.every((m) => typeof m === "string" || (Array.isArray(m) && m.every((p) => typeof p === "string")));

const TokenizerJson = z
  .object({
    added_tokens: z.array(AddedToken).default([]),
    model: z
      .object({
        type: z.string().optional(),
        vocab: z
          .custom<Record<string, number> | unknown[]>(isVocab, {
            message: "model.vocab must map tokens to non-negative whole ids",
          })
          .optional(),
        merges: z
          .custom<Array<string | string[]>>(isMerges, { message: "model.merges must be a list of merges" })
          .optional(),
        byte_fallback: z.boolean().optional(),
        ignore_merges: z.boolean().optional(),
      })
      .passthrough(),
    normalizer: z.unknown().optional(),
    post_processor: z.unknown().optional(),
    decoder: z.object({ type: z.string().optional() }).passthrough().nullish(),
  })
  .passthrough();
export type TokenizerJson = z.infer<typeof TokenizerJson>;

export interface TokenizerFiles {
  json: TokenizerJson;
  /** The raw objects, for the tokenizer library. */
  rawJson: JsonObject;
  config: JsonObject | undefined;
}

export async function readTokenizerFiles(source: CheckpointSource): Promise<TokenizerFiles | undefined> {
  const rawJson = await readJson(source, "tokenizer.json");
  if (!rawJson) return undefined;
  const parsed = TokenizerJson.safeParse(rawJson);
  if (!parsed.success)
    throw new HubferryError(
      "BAD_INPUT",
      `tokenizer.json in ${source.name} is not a tokenizer the converter can read: ${parsed.error.issues[0]?.message}`,
      "re-download the tokenizer files",
    );
  return { json: parsed.data, rawJson, config: await readJson(source, "tokenizer_config.json") };
}

/**
 * tokenizer.model's bytes, refused past the size limit before anything is read (a SentencePiece
 * model is read whole into memory).
 */
export async function readTokenizerModel(source: CheckpointSource): Promise<Uint8Array> {
  const size = await source.size("tokenizer.model");
  if (size > MAX_TOKENIZER_MODEL_BYTES)
    throw new HubferryError(
      "BAD_INPUT",
      `tokenizer.model in ${source.name} is ${size} bytes, over the ${MAX_TOKENIZER_MODEL_BYTES}-byte limit for a SentencePiece model`,
      "check that tokenizer.model is a SentencePiece model",
    );
  return source.readRange("tokenizer.model", 0, size);
}

/** added_tokens.json (token text to id), checked; undefined when absent. */
export async function readAddedTokens(source: CheckpointSource): Promise<Record<string, number> | undefined> {
  const raw = await readJson(source, "added_tokens.json");
  if (!raw) return undefined;
  const parsed = AddedTokensJson.safeParse(raw);
  if (!parsed.success)
    throw new HubferryError(
      "BAD_INPUT",
      `added_tokens.json in ${source.name} does not map tokens to ids: ${parsed.error.issues[0]?.message}`,
      "re-download added_tokens.json",
    );
  return parsed.data;
}
