import type { Json, JsonObject } from "../arch/hparams.js";
import { gguf } from "../gguf/gguf-value.js";
import type { MetadataBuilder } from "../gguf/metadata-builder.js";
import { readPostProcessor } from "./post-processor.js";
import type { TokenizerFiles } from "./tokenizer-files.js";

/**
 * Special token ids, the add-BOS/EOS flags, merges, the chat template and normalizer flags, found
 * as gguf-py's `SpecialVocab` finds them (tokenizer.json's post-processor and added tokens,
 * tokenizer_config.json, then config.json's `*_token_id`), and written in its order.
 */
export type Kind =
  | "bos"
  | "eos"
  | "unk"
  | "sep"
  | "pad"
  | "cls"
  | "mask"
  | "eot"
  | "eom"
  // CodeLlama's infill tokens: gguf-py's writer has no key for them, so they are never written.
  | "prefix"
  | "suffix"
  | "middle";

const ID_KEYS: Partial<Record<Kind, string>> = {
  bos: "tokenizer.ggml.bos_token_id",
  eos: "tokenizer.ggml.eos_token_id",
  unk: "tokenizer.ggml.unknown_token_id",
  sep: "tokenizer.ggml.seperator_token_id",
  pad: "tokenizer.ggml.padding_token_id",
  mask: "tokenizer.ggml.mask_token_id",
  eot: "tokenizer.ggml.eot_token_id",
  eom: "tokenizer.ggml.eom_token_id",
};
const ADD_KEYS: Record<string, string> = {
  bos: "tokenizer.ggml.add_bos_token",
  eos: "tokenizer.ggml.add_eos_token",
  sep: "tokenizer.ggml.add_sep_token",
};

const isObject = (v: Json | undefined): v is JsonObject => !!v && typeof v === "object" && !Array.isArray(v);
const str = (v: Json | undefined): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** tokenizer.json (absent beside a SentencePiece tokenizer.model) and tokenizer_config.json. */
export type SpecialVocabFiles = Partial<Pick<TokenizerFiles, "json" | "rawJson">> & {
  config: JsonObject | undefined;
};

export interface SpecialVocabOptions {
  loadMerges: boolean;
  /** Ids at or above this are skipped (SentencePiece vocabularies pass their size). */
  nVocab?: number;
  /** The chat template files beside the tokenizer (chat_template.jinja / .json), if any. */
  chatTemplateFile?: Json;
  /** The special token kinds looked for (upstream's `special_token_types`); the usual seven by default. */
  kinds?: Kind[];
}

export class SpecialVocab {
  readonly ids = new Map<Kind, number>();
  readonly add = new Map<string, boolean>();
  merges: string[] = [];
  chatTemplate: Json | undefined;
  lowercase: boolean | undefined;
  stripAccents: boolean | undefined;
  private kinds: Kind[];

  constructor(
    files: SpecialVocabFiles | undefined,
    modelConfig: JsonObject,
    private readonly options: SpecialVocabOptions,
  ) {
    this.kinds = options.kinds ? [...options.kinds] : ["bos", "eos", "unk", "sep", "pad", "cls", "mask"];
    if (files) this.fromTokenizer(files);
    this.fromModelConfig(modelConfig);
  }

  /** A special token's id, unless one is set already or it is out of range (`_set_special_token`). */
  setId(kind: Kind, id: Json | undefined): void {
    if (typeof id !== "number" || !Number.isInteger(id)) return;
    if (id < 0) throw new Error(`invalid value for special token type ${kind}: ${id}`);
    if (this.options.nVocab !== undefined && id >= this.options.nVocab) return;
    if (!this.ids.has(kind)) this.ids.set(kind, id);
  }

  private fromTokenizer(files: SpecialVocabFiles): void {
    const { json, rawJson } = files;
    if (json && this.options.loadMerges) this.merges = mergesOf(json);
    if (isObject(rawJson?.normalizer)) this.parseNormalizer(rawJson.normalizer);
    // An empty tokenizer_config.json counts as none, as an empty dict is falsy upstream.
    const config = files.config && Object.keys(files.config).length ? { ...files.config } : undefined;
    // Upstream reads the post-processor only from a tokenizer.json that is there and not `{}`.
    if (rawJson && Object.keys(rawJson).length) readPostProcessor(rawJson.post_processor, config, this);
    if (!config) return;
    const template = "chat_template" in config ? config.chat_template : this.options.chatTemplateFile;
    if (
      template === undefined ||
      template === null ||
      typeof template === "string" ||
      Array.isArray(template)
    )
      this.chatTemplate = template ?? undefined;
    for (const kind of this.kinds) {
      const addEntry = config[`add_${kind}_token`];
      if (typeof addEntry === "boolean" && !this.add.has(kind)) this.add.set(kind, addEntry);
      const entry = config[`${kind}_token`];
      const content = typeof entry === "string" ? entry : isObject(entry) ? str(entry.content) : undefined;
      if (content === undefined) continue;
      // Without tokenizer.json there are no added tokens to look up (config.json's ids still count).
      this.setId(kind, json?.added_tokens.find((t) => t.content === content)?.id);
    }
  }

  /** Called by the post-processor reading, which may add eot/eom to the kinds. */
  addKind(kind: Kind): void {
    if (!this.kinds.includes(kind)) this.kinds.push(kind);
  }

  hasKind(kind: Kind): boolean {
    return this.kinds.includes(kind);
  }

  private parseNormalizer(normalizer: JsonObject): void {
    const type = normalizer.type;
    if (type === "Lowercase") this.lowercase = true;
    else if (type === "StripAccents") this.stripAccents = true;
    else if (type === "BertNormalizer") {
      if (typeof normalizer.lowercase === "boolean") this.lowercase = normalizer.lowercase;
      if (typeof normalizer.strip_accents === "boolean") this.stripAccents = normalizer.strip_accents;
    } else if (type === "Sequence" && Array.isArray(normalizer.normalizers))
      for (const n of normalizer.normalizers) if (isObject(n)) this.parseNormalizer(n);
  }

  private fromModelConfig(config: JsonObject): void {
    const text = isObject(config.text_config) ? config.text_config : undefined;
    for (const kind of this.kinds) this.setId(kind, config[`${kind}_token_id`] ?? text?.[`${kind}_token_id`]);
  }

  writeTo(meta: MetadataBuilder): void {
    if (this.merges.length) meta.set("tokenizer.ggml.merges", gguf.strings(this.merges));
    for (const [kind, id] of this.ids) {
      const key = ID_KEYS[kind];
      if (key) meta.set(key, gguf.u32(id));
    }
    for (const [kind, value] of this.add) {
      const key = ADD_KEYS[kind];
      if (key) meta.set(key, gguf.bool(value));
    }
    writeChatTemplate(meta, this.chatTemplate);
    if (this.lowercase !== undefined)
      meta.set("tokenizer.ggml.normalizer.lowercase", gguf.bool(this.lowercase));
    if (this.stripAccents !== undefined)
      meta.set("tokenizer.ggml.normalizer.strip_accents", gguf.bool(this.stripAccents));
  }
}

/** Merges as strings; the pair form (transformers >= 4.45) joined with spaces encoded as U+0120. */
function mergesOf(json: TokenizerFiles["json"]): string[] {
  const merges = json.model.merges;
  if (!merges?.length) return [];
  return merges.map((m) =>
    typeof m === "string"
      ? m
      : m.map((part) => part.replaceAll(" ", String.fromCharCode(32 + 256))).join(" "),
  );
}

function writeChatTemplate(meta: MetadataBuilder, template: Json | undefined): void {
  if (template === undefined || template === null) {
    meta.remove("tokenizer.chat_template");
    return;
  }
  if (typeof template === "string") {
    meta.set("tokenizer.chat_template", gguf.str(template));
    return;
  }
  if (!Array.isArray(template)) return;
  let fallback: string | undefined;
  const names = new Set<string>();
  for (const choice of template) {
    if (!isObject(choice)) continue;
    const name = String(choice.name ?? "").replace(/[^A-Za-z0-9]/g, "_");
    const body = choice.template;
    if (!name || typeof body !== "string") continue;
    if (name === "default") fallback = body;
    else {
      names.add(name);
      meta.set(`tokenizer.chat_template.${name}`, gguf.str(body));
    }
  }
  if (names.size) meta.set("tokenizer.chat_templates", gguf.strings([...names]));
  if (fallback !== undefined) meta.set("tokenizer.chat_template", gguf.str(fallback));
}
