import { createHash } from "node:crypto";
import { Tokenizer } from "@huggingface/tokenizers";
import { HubferryError } from "../../core/errors.js";
import { CHECK_TEXT, PRE_TOKENIZER_BY_HASH } from "./pre-tokenizer-hashes.js";
import type { TokenizerFiles } from "./tokenizer-files.js";

/**
 * The BPE pre-tokenizer's name, found as upstream finds it: tokenize CHECK_TEXT (special tokens
 * added as the tokenizer adds them), hash the id list as Python prints it, look the hash up. The
 * tokenizer is Hugging Face's own JS port (@huggingface/tokenizers), which reads tokenizer.json.
 */
export function checkHash(files: TokenizerFiles): string {
  const tokenizer = new Tokenizer(files.rawJson as never, (files.config ?? {}) as never);
  const ids = tokenizer.encode(CHECK_TEXT).ids;
  return createHash("sha256")
    .update(`[${ids.join(", ")}]`)
    .digest("hex");
}

export function preTokenizerName(files: TokenizerFiles, override: string | undefined): string {
  if (override) return override;
  const hash = checkHash(files);
  const name = PRE_TOKENIZER_BY_HASH[hash];
  if (name) return name;
  throw new HubferryError(
    "BAD_INPUT",
    `the tokenizer's BPE pre-tokenizer is not one llama.cpp knows (check hash ${hash})`,
    "if you know which it is, name it with --pre NAME (e.g. llama-bpe, qwen2, gpt-2); llama.cpp will then split text that way",
  );
}
