import { HubferryError } from "../../core/errors.js";
import type { AddedToken, TokenizerFiles } from "./tokenizer-files.js";

/** llama.cpp's token types (gguf `TokenType`). */
export const TOKEN_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

export interface BpeVocab {
  tokens: string[];
  types: number[];
}

/** Added tokens that ought to be control tokens though not marked special (upstream's list). */
export function looksSpecial(token: string): boolean {
  if (["<pad>", "<mask>", "<2mass>", "[@BOS@]"].includes(token)) return true;
  if (token.startsWith("<|") && token.endsWith("|>")) return true;
  if (token.startsWith("<｜") && token.endsWith("｜>")) return true;
  return token.startsWith("<unused") && token.endsWith(">");
}

/** Added tokens by id, with tokenizer_config.json's flags where it restates them (as transformers loads them). */
function addedTokensById(files: TokenizerFiles): Map<number, AddedToken> {
  const byId = new Map<number, AddedToken>();
  for (const token of files.json.added_tokens) byId.set(token.id, token);
  const decoder = files.config?.added_tokens_decoder;
  if (decoder && typeof decoder === "object" && !Array.isArray(decoder))
    for (const [id, raw] of Object.entries(decoder)) {
      const known = byId.get(Number(id));
      if (!known || !raw || typeof raw !== "object" || Array.isArray(raw)) continue;
      if (typeof raw.special === "boolean") known.special = raw.special;
      if (typeof raw.normalized === "boolean") known.normalized = raw.normalized;
    }
  return byId;
}

/**
 * The vocabulary of a GPT-2-style BPE tokenizer as upstream's `get_vocab_base` lays it out: one
 * entry per id below the model's vocab_size, ids the tokenizer lacks as "[PAD<i>]" (unused),
 * added tokens as control (special, or shaped like a control token) or user-defined.
 */
export function bpeVocab(files: TokenizerFiles, vocabSize: number | undefined): BpeVocab {
  const vocab = files.json.model.vocab;
  if (!vocab || Array.isArray(vocab))
    throw new HubferryError(
      "BAD_INPUT",
      `tokenizer.json's model is ${files.json.model.type ?? "untyped"} with no BPE vocabulary (model.vocab), and there is no tokenizer.model`,
      "the converter reads SentencePiece tokenizer.model, Llama byte-fallback BPE and GPT-2 style BPE tokenizer.json; for others use llama.cpp's convert_hf_to_gguf.py",
    );
  const reverse = new Map<number, string>();
  for (const [token, id] of Object.entries(vocab)) reverse.set(id, token);
  const added = addedTokensById(files);
  for (const token of added.values()) reverse.set(token.id, token.content);
  const size = vocabSize ?? reverse.size;
  let maxId = -1;
  for (const id of reverse.keys()) maxId = Math.max(maxId, id);
  if (maxId >= size)
    throw new HubferryError(
      "BAD_INPUT",
      `the tokenizer has token id ${maxId} but config.json's vocab_size is ${size}`,
      "check that the tokenizer belongs to this model",
    );
  const tokens: string[] = [];
  const types: number[] = [];
  for (let id = 0; id < size; id++) {
    const token = reverse.get(id);
    const extra = added.get(id);
    if (token === undefined) {
      tokens.push(`[PAD${id}]`);
      types.push(TOKEN_TYPE.UNUSED);
    } else if (extra) {
      if (extra.special || looksSpecial(token)) {
        tokens.push(token);
        types.push(TOKEN_TYPE.CONTROL);
      } else {
        tokens.push(token.replaceAll("▁", " "));
        types.push(TOKEN_TYPE.USER_DEFINED);
      }
    } else {
      tokens.push(token);
      types.push(TOKEN_TYPE.NORMAL);
    }
  }
  return { tokens, types };
}
