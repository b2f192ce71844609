import { HubferryError } from "../../core/errors.js";
import type { Json, JsonObject } from "../arch/hparams.js";
import { TOKEN_TYPE } from "./bpe-vocab.js";
import type { ScoredVocab } from "./sentencepiece-vocab.js";
import type { TokenizerFiles } from "./tokenizer-files.js";

/**
 * A Llama byte-fallback BPE tokenizer.json (no tokenizer.model) as gguf-py's `LlamaHfVocab` lays it
 * out. Upstream loads it with transformers' AutoTokenizer; what it reads from that object is
 * derived here from the files the way transformers 4.57 derives it:
 * - the base vocabulary is model.vocab (`vocab_size` is its length), every id below it in order,
 *   "<0xNN>" typed byte, a special token's id control, the rest normal;
 * - then the added tokens at or past the base size, by id, control when they are special tokens,
 *   else user-defined, all packed after the base (the model's vocab_size is not consulted);
 * - every score is -1000.
 * The special tokens are the tokenizer's bos/eos/unk/sep/pad/cls/mask and additional special
 * tokens: LlamaTokenizerFast's defaults, then tokenizer_config.json's, then special_tokens_map.json's;
 * and tokenizer_config.json's extra_special_tokens.
 */
const SPECIAL_KEYS = ["bos", "eos", "unk", "sep", "pad", "cls", "mask"].map((k) => `${k}_token`);
/** The classes AutoTokenizer would build here whose defaults are known (absent: config.json's llama). */
const LLAMA_CLASSES = new Set(["LlamaTokenizer", "LlamaTokenizerFast"]);
const PLAIN_CLASSES = new Set(["PreTrainedTokenizerFast"]);

const isObject = (v: Json | undefined): v is JsonObject => !!v && typeof v === "object" && !Array.isArray(v);
const contentOf = (v: Json | undefined): string | undefined =>
  typeof v === "string" ? v : isObject(v) && typeof v.content === "string" ? v.content : undefined;

function specialTokens(config: JsonObject | undefined, map: JsonObject | undefined): string[] {
  const cls = config?.tokenizer_class;
  const values = new Map<string, string | undefined>();
  if (cls === undefined || cls === null || (typeof cls === "string" && LLAMA_CLASSES.has(cls)))
    values.set("bos_token", "<s>").set("eos_token", "</s>").set("unk_token", "<unk>");
  else if (typeof cls !== "string" || !PLAIN_CLASSES.has(cls))
    throw new HubferryError(
      "BAD_INPUT",
      `the byte-fallback BPE tokenizer names tokenizer_class ${JSON.stringify(cls)}, whose special tokens the converter does not know`,
      `supported: ${[...LLAMA_CLASSES, ...PLAIN_CLASSES].join(", ")}; or use llama.cpp's convert_hf_to_gguf.py`,
    );
  const additional: string[] = [];
  const addAll = (list: Json | undefined) => {
    if (!Array.isArray(list)) return;
    for (const t of list) {
      const c = contentOf(t);
      if (c !== undefined && !additional.includes(c)) additional.push(c);
    }
  };
  // special_tokens_map.json is read after tokenizer_config.json and wins over it.
  for (const source of [config, map]) {
    if (!source) continue;
    for (const key of SPECIAL_KEYS) if (key in source) values.set(key, contentOf(source[key]));
    addAll(source.additional_special_tokens);
  }
  // transformers (4.57) makes each of tokenizer_config.json's extra_special_tokens a special token too.
  const extra = isObject(config?.extra_special_tokens) ? Object.values(config.extra_special_tokens) : [];
  const all: string[] = [];
  for (const t of [
    ...SPECIAL_KEYS.map((k) => values.get(k)),
    ...extra.filter((v) => typeof v === "string"),
    ...additional,
  ])
    if (t !== undefined && !all.includes(t)) all.push(t);
  return all;
}

export function llamaHfVocab(files: TokenizerFiles, specialTokensMap: JsonObject | undefined): ScoredVocab {
  const base = files.json.model.vocab;
  if (!base || Array.isArray(base))
    throw new HubferryError(
      "BAD_INPUT",
      "tokenizer.json has no BPE vocabulary (model.vocab)",
      "re-download tokenizer.json",
    );
  const baseSize = Object.keys(base).length;
  const byContent = new Map<string, number>(Object.entries(base));
  const reverse = new Map<number, string>();
  for (const [token, id] of Object.entries(base)) reverse.set(id, token);
  for (const t of files.json.added_tokens) {
    byContent.set(t.content, t.id);
    const known = reverse.get(t.id);
    if (known !== undefined && known !== t.content)
      throw new HubferryError(
        "BAD_INPUT",
        `tokenizer.json gives id ${t.id} to both ${JSON.stringify(known)} and the added token ${JSON.stringify(t.content)}`,
        "check tokenizer.json's added_tokens",
      );
    reverse.set(t.id, t.content);
  }
  const specials = new Map<string, number>();
  for (const t of specialTokens(files.config, specialTokensMap)) {
    const id = byContent.get(t);
    if (id === undefined)
      throw new HubferryError(
        "BAD_INPUT",
        `the special token ${JSON.stringify(t)} is not in tokenizer.json`,
        "check tokenizer_config.json's special tokens against tokenizer.json",
      );
    specials.set(t, id);
  }
  const specialIds = new Set(specials.values());
  const out: ScoredVocab = { tokens: [], scores: [], types: [] };
  for (let id = 0; id < baseSize; id++) {
    const token = reverse.get(id);
    if (token === undefined)
      throw new HubferryError(
        "BAD_INPUT",
        `tokenizer.json's vocabulary has no token with id ${id}, below its size ${baseSize}`,
        "re-download tokenizer.json",
      );
    out.tokens.push(token);
    out.scores.push(-1000);
    out.types.push(
      /^<0x[0-9A-Fa-f]{2}>$/.test(token)
        ? TOKEN_TYPE.BYTE
        : specialIds.has(id)
          ? TOKEN_TYPE.CONTROL
          : TOKEN_TYPE.NORMAL,
    );
  }
  const added = [...new Map(files.json.added_tokens.map((t) => [t.content, t.id])).entries()]
    .filter(([, id]) => id >= baseSize)
    .sort((a, b) => a[1] - b[1]);
  for (const [content] of added) {
    out.tokens.push(content);
    out.scores.push(-1000);
    out.types.push(specials.has(content) ? TOKEN_TYPE.CONTROL : TOKEN_TYPE.USER_DEFINED);
  }
  return out;
}
