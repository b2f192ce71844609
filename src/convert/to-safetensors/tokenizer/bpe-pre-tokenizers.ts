/**
 * How a byte-level BPE tokenizer splits text before merging, for the GGUF pre-tokenizer names
 * (`tokenizer.ggml.pre`) whose splitting is known: the regex the Hugging Face tokenizer.json of
 * those models carries (llama.cpp's llama-vocab.cpp keeps each one beside its own rewrite of it),
 * whether merges are skipped for words already in the vocabulary (llama.cpp's `ignore_merges`),
 * and the Unicode normalization the original applies (Qwen's NFC; llama.cpp itself does none).
 */
export interface BpePreTokenizer {
  /** The Split regex; undefined for GPT-2's own, which ByteLevel applies itself. */
  regex?: string;
  ignoreMerges: boolean;
  normalizer?: "NFC";
}

const LLAMA3 = String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
const QWEN2 = String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;

const TABLE: Record<string, BpePreTokenizer> = {
  "llama-bpe": { regex: LLAMA3, ignoreMerges: true },
  llama3: { regex: LLAMA3, ignoreMerges: true },
  "llama-v3": { regex: LLAMA3, ignoreMerges: true },
  // Llama 3's split; llama.cpp leaves merges on for it.
  "smaug-bpe": { regex: LLAMA3, ignoreMerges: false },
  qwen2: { regex: QWEN2, ignoreMerges: false, normalizer: "NFC" },
  "deepseek-r1-qwen": { regex: QWEN2, ignoreMerges: false, normalizer: "NFC" },
  "gpt-2": { ignoreMerges: false },
  default: { ignoreMerges: false },
};

export function bpePreTokenizer(name: string): BpePreTokenizer | undefined {
  return TABLE[name];
}

export const REBUILT_PRE_TOKENIZERS = Object.keys(TABLE);
