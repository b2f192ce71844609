/**
 * The source files a converted repo carries beside its GGUF, unchanged: the config and generation
 * settings, every tokenizer file, the chat template, and the licence and notices (the weights'
 * terms travel with them). Only files at the top of the repo; weights and the source's own card
 * stay behind (the card is replaced by one that names the source).
 */
const COMPANIONS = new Set([
  "config.json",
  "generation_config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "tokenizer.model",
  "special_tokens_map.json",
  "added_tokens.json",
  "vocab.json",
  "merges.txt",
  "chat_template.jinja",
  "chat_template.json",
]);

const NOTICES = /^(LICENSE|LICENCE|NOTICE|USE_POLICY)(\.[A-Za-z0-9]+)?$/i;

export function isCompanionFile(path: string): boolean {
  if (path.includes("/")) return false;
  return COMPANIONS.has(path) || NOTICES.test(path);
}

/** The licence and notices alone (a GGUF's repo: its other files describe the GGUF, not safetensors). */
export function isNoticeFile(path: string): boolean {
  return !path.includes("/") && NOTICES.test(path);
}
