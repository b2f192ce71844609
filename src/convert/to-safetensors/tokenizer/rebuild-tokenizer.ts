import type { JsonObject } from "../../arch/hparams.js";
import type { GgufValue } from "../../gguf/gguf-value.js";
import { bpePreTokenizer, REBUILT_PRE_TOKENIZERS } from "./bpe-pre-tokenizers.js";

/**
 * tokenizer.json and tokenizer_config.json rebuilt from a GGUF's vocabulary, for the byte-level
 * BPE vocabularies (`tokenizer.ggml.model` "gpt2") whose pre-tokenizer is known: tokens and ids,
 * merges, control tokens as special added tokens and user-defined ones as plain added tokens (the
 * reverse of what convert_hf_to_gguf.py records), BOS/EOS as the GGUF says to add them, and the
 * chat template. Anything else is left out with the reason, so the caller can say so.
 */
export type RebuiltTokenizer =
  | { files: { "tokenizer.json": JsonObject; "tokenizer_config.json": JsonObject } }
  | { skipped: string };

/** llama.cpp's token types (llama_token_type). */
const CONTROL = 3;
const USER_DEFINED = 4;

type Meta = ReadonlyMap<string, GgufValue>;

function strings(meta: Meta, key: string): readonly string[] | undefined {
  const v = meta.get(key);
  return v?.type === "array" && v.itemType === "string" ? v.values : undefined;
}

function numbers(meta: Meta, key: string): ArrayLike<number> | undefined {
  const v = meta.get(key);
  return v?.type === "array" && v.itemType !== "string" && v.itemType !== "bool"
    ? (v.values as ArrayLike<number>)
    : undefined;
}

function scalar(meta: Meta, key: string): string | number | boolean | undefined {
  const v = meta.get(key);
  if (!v || v.type === "array") return undefined;
  return typeof v.value === "bigint" ? Number(v.value) : v.value;
}

function addedTokens(tokens: readonly string[], types: ArrayLike<number> | undefined): JsonObject[] {
  const added: JsonObject[] = [];
  if (!types) return added;
  for (let id = 0; id < tokens.length; id++) {
    const type = types[id];
    if (type !== CONTROL && type !== USER_DEFINED) continue;
    added.push({
      id,
      content: tokens[id] as string,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: type === CONTROL,
    });
  }
  return added;
}

/** BOS before (and EOS after) each sequence when the GGUF says to add them, as llama.cpp does. */
function postProcessor(
  bos: string | undefined,
  eos: string | undefined,
  ids: Map<string, number>,
): JsonObject {
  if (!bos && !eos)
    return { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true };
  const piece = (token: string, typeId: number) => ({ SpecialToken: { id: token, type_id: typeId } });
  const seq = (typeId: number) => ({ Sequence: { id: typeId === 0 ? "A" : "B", type_id: typeId } });
  const around = (typeId: number) => [
    ...(bos ? [piece(bos, typeId)] : []),
    seq(typeId),
    ...(eos ? [piece(eos, typeId)] : []),
  ];
  const special: JsonObject = {};
  for (const token of [bos, eos])
    if (token) special[token] = { id: token, ids: [ids.get(token) as number], tokens: [token] };
  return {
    type: "TemplateProcessing",
    single: around(0),
    pair: [...around(0), ...around(1)],
    special_tokens: special,
  };
}

export function rebuildTokenizer(meta: Meta): RebuiltTokenizer {
  const model = scalar(meta, "tokenizer.ggml.model");
  if (model !== "gpt2")
    return {
      skipped: `its vocabulary is ${String(model ?? "missing")}; only byte-level BPE (gpt2) is rebuilt`,
    };
  const pre = String(scalar(meta, "tokenizer.ggml.pre") ?? "default");
  const split = bpePreTokenizer(pre);
  if (!split)
    return { skipped: `its pre-tokenizer ${pre} is not one rebuilt (${REBUILT_PRE_TOKENIZERS.join(", ")})` };
  const tokens = strings(meta, "tokenizer.ggml.tokens");
  const merges = strings(meta, "tokenizer.ggml.merges");
  if (!tokens || !merges) return { skipped: "it has no token list or no merges" };
  const ids = new Map<string, number>();
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => {
    if (ids.has(t)) return;
    ids.set(t, i);
    vocab[t] = i;
  });
  const tokenAt = (key: string) => {
    const id = scalar(meta, key);
    return typeof id === "number" ? tokens[id] : undefined;
  };
  const bos = tokenAt("tokenizer.ggml.bos_token_id");
  const eos = tokenAt("tokenizer.ggml.eos_token_id");
  const addBos = scalar(meta, "tokenizer.ggml.add_bos_token") === true;
  const addEos = scalar(meta, "tokenizer.ggml.add_eos_token") === true;
  const byteLevel = {
    type: "ByteLevel",
    add_prefix_space: false,
    trim_offsets: true,
    use_regex: !split.regex,
  };
  const tokenizerJson: JsonObject = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: addedTokens(tokens, numbers(meta, "tokenizer.ggml.token_type")),
    normalizer: split.normalizer ? { type: split.normalizer } : null,
    pre_tokenizer: split.regex
      ? {
          type: "Sequence",
          pretokenizers: [
            { type: "Split", pattern: { Regex: split.regex }, behavior: "Isolated", invert: false },
            byteLevel,
          ],
        }
      : byteLevel,
    post_processor: postProcessor(addBos ? bos : undefined, addEos ? eos : undefined, ids),
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: split.ignoreMerges,
      vocab,
      merges: merges.map((m) => m.split(" ")),
    },
  };
  const config: JsonObject = {
    tokenizer_class: "PreTrainedTokenizerFast",
    add_bos_token: addBos,
    add_eos_token: addEos,
    clean_up_tokenization_spaces: false,
  };
  if (bos) config.bos_token = bos;
  if (eos) config.eos_token = eos;
  const pad = tokenAt("tokenizer.ggml.padding_token_id");
  if (pad) config.pad_token = pad;
  const context = scalar(meta, `${String(scalar(meta, "general.architecture"))}.context_length`);
  if (typeof context === "number") config.model_max_length = context;
  const template = scalar(meta, "tokenizer.chat_template");
  if (typeof template === "string") config.chat_template = template;
  return { files: { "tokenizer.json": tokenizerJson, "tokenizer_config.json": config } };
}

/** The rebuilt files as the text written (JSON, two-space indented), or the warning that says why none. */
export function tokenizerOutput(meta: Meta): { files: Record<string, string>; warning?: string } {
  const rebuilt = rebuildTokenizer(meta);
  if ("skipped" in rebuilt)
    return {
      files: {},
      warning: `the tokenizer is not rebuilt: ${rebuilt.skipped}; copy the source model's tokenizer files beside the output`,
    };
  const files: Record<string, string> = {};
  for (const [name, json] of Object.entries(rebuilt.files))
    files[name] = `${JSON.stringify(json, null, 2)}\n`;
  return { files };
}
