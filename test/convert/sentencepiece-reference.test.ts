import assert from "node:assert/strict";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { JsonObject } from "../../src/convert/arch/hparams.js";
import type { GgufValue } from "../../src/convert/gguf/gguf-value.js";
import { parseGguf } from "../../src/convert/gguf/read-header.js";
import { eventsOf, runCli } from "../helpers/cli.js";
import { PY_DIR, run, venvBin } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";
import { type Comparison, compareGguf, inParallel, LLAMA_CPP, referenceGguf } from "./tiny-models.js";

/**
 * SentencePiece (tokenizer.model) and Llama HF (byte-fallback BPE tokenizer.json) vocabularies:
 * `hubferry convert --to gguf` against llama.cpp's convert_hf_to_gguf.py on tiny checkpoints
 * whose tokenizers are trained here with sentencepiece and saved by transformers' Llama
 * tokenizers (added and special tokens, a chat template). Every key (general.name aside), tensor
 * info and tensor byte identical, read back by gguf-py.
 */
interface AddedEdit {
  content: string;
  /** The id as an offset from the tokenizer's size (0: the first id past it). */
  offset: number;
  special: boolean;
}

interface SpModel {
  arch: "llama" | "qwen2" | "phi3";
  spm: "bpe" | "unigram";
  spmVocab: number;
  byteFallback: boolean;
  fast: boolean;
  dropModel?: boolean;
  extraVocab?: number;
  jinja?: boolean;
  addPrefixSpace?: boolean;
  dropDecoder?: boolean;
  vocab?: number;
  dropConfigKeys?: string[];
  setConfig?: Record<string, unknown>;
  dropSpecialMap?: boolean;
  layers?: number;
  extra?: Record<string, unknown>;
  dropModelConfigKeys?: string[];
  addedTokensJson?: Record<string, number>;
  addDecoder?: AddedEdit[];
  addTokenizerJson?: AddedEdit[];
  seed: number;
  outtype: string;
  /** Token types the reference must hold, so that each case exercises what it is for. */
  types: number[];
}

const TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 };
const MODELS: Record<string, SpModel> = {
  // BPE with byte fallback, tokenizer.json beside tokenizer.model (the model wins), the vocabulary
  // padded past the tokenizer ([PAD<i>]), the chat template in tokenizer_config.json,
  // add_prefix_space set. No unknown type: added_tokens_decoder lists <unk> as special (control).
  "llama-spm-bpe": {
    arch: "llama",
    spm: "bpe",
    spmVocab: 600,
    byteFallback: true,
    fast: true,
    extraVocab: 3,
    addPrefixSpace: false,
    seed: 1,
    outtype: "f16",
    types: [TYPE.NORMAL, TYPE.CONTROL, TYPE.USER_DEFINED, TYPE.UNUSED, TYPE.BYTE],
  },
  // Unigram without byte fallback through the qwen path, the slow tokenizer's files only (no
  // tokenizer.json: special ids from config.json alone), vocab_size below the tokenizer's (tokens
  // dropped), the chat template in chat_template.jinja, added tokens in added_tokens.json only.
  "qwen2-spm-unigram": {
    arch: "qwen2",
    spm: "unigram",
    spmVocab: 400,
    byteFallback: false,
    fast: false,
    extraVocab: -2,
    jinja: true,
    dropDecoder: true,
    seed: 2,
    outtype: "f32",
    types: [TYPE.NORMAL, TYPE.UNKNOWN, TYPE.CONTROL, TYPE.USER_DEFINED],
  },
  // CodeLlama's vocab_size (32016, mostly [PAD<i>] here): upstream adds EOT (32010) from a second
  // special vocabulary.
  "llama-codellama": {
    arch: "llama",
    spm: "bpe",
    spmVocab: 400,
    byteFallback: true,
    fast: true,
    vocab: 32016,
    seed: 4,
    outtype: "f16",
    types: [TYPE.NORMAL, TYPE.CONTROL, TYPE.USER_DEFINED, TYPE.UNUSED, TYPE.BYTE],
  },
  // No tokenizer.model: the byte-fallback BPE tokenizer.json read as Llama HF.
  "llama-hf-bpe": {
    arch: "llama",
    spm: "bpe",
    spmVocab: 600,
    byteFallback: true,
    fast: true,
    dropModel: true,
    extraVocab: 3,
    seed: 3,
    outtype: "f32",
    types: [TYPE.NORMAL, TYPE.CONTROL, TYPE.USER_DEFINED, TYPE.BYTE],
  },
  // Llama HF as a plain PreTrainedTokenizerFast (no default special tokens; no unk, so <unk> is
  // normal), an extra special token, no special_tokens_map.json.
  "llama-hf-plain": {
    arch: "llama",
    spm: "bpe",
    spmVocab: 400,
    byteFallback: true,
    fast: true,
    dropModel: true,
    dropConfigKeys: ["unk_token", "additional_special_tokens"],
    setConfig: {
      tokenizer_class: "PreTrainedTokenizerFast",
      extra_special_tokens: { tool_token: "<|tool|>" },
    },
    dropSpecialMap: true,
    seed: 5,
    outtype: "f32",
    types: [TYPE.NORMAL, TYPE.CONTROL, TYPE.USER_DEFINED, TYPE.BYTE],
  },
  // phi3's own reader (Phi3MiniModel.set_vocab), with added tokens in all three files it reads,
  // each over the one before: added_tokens.json's are user-defined and keep their "▁", an id past
  // vocab_size is skipped; added_tokens_decoder's are control only when special (no control-shaped
  // rule: <|tool|> and <|decoder_wins|> are user-defined) and keep their "▁"; tokenizer.json's win
  // over both, its special flag included; ids past the tokens are [PAD<i>]. Phi3Config's default
  // pad_token_id (32000) does not fit a tiny vocabulary, hence the extra.
  "phi3-spm-bpe": {
    arch: "phi3",
    spm: "bpe",
    spmVocab: 500,
    byteFallback: true,
    fast: true,
    extraVocab: 8,
    layers: 2,
    extra: { pad_token_id: 0 },
    addedTokensJson: {
      "<|json_only|>": 0,
      "json\u2581only": 1,
      "<|json_then_decoder|>": 2,
      "<|too_far|>": 9,
    },
    addDecoder: [
      { content: "<|decoder_wins|>", offset: 2, special: false },
      { content: "<|decoder_loses|>", offset: 3, special: false },
      { content: "<|x|>", offset: 4, special: true },
    ],
    addTokenizerJson: [
      { content: "<|json_special|>", offset: 3, special: true },
      { content: "<|x|>", offset: 4, special: false },
    ],
    seed: 6,
    outtype: "f32",
    types: [TYPE.NORMAL, TYPE.CONTROL, TYPE.USER_DEFINED, TYPE.UNUSED, TYPE.BYTE],
  },
  // phi3 as Phi-3-mini ships it, more or less: the slow tokenizer's files (no tokenizer.json, no
  // added_tokens_decoder: added tokens from added_tokens.json only, <|im_start|> user-defined),
  // unigram (the unknown piece keeps its type, the model's user-defined <sep> is normal), and no
  // vocab_size in config.json: Phi3Config's 32064, mostly [PAD<i>], and its eos_token_id of 32000
  // a [PAD] id, as upstream writes it.
  "phi3-spm-default-vocab": {
    arch: "phi3",
    spm: "unigram",
    spmVocab: 400,
    byteFallback: false,
    fast: false,
    vocab: 32064,
    dropDecoder: true,
    dropModelConfigKeys: ["vocab_size"],
    layers: 2,
    extra: { pad_token_id: 0 },
    addedTokensJson: { "<|past_default|>": 40000 },
    seed: 7,
    outtype: "f16",
    types: [TYPE.NORMAL, TYPE.UNKNOWN, TYPE.CONTROL, TYPE.USER_DEFINED, TYPE.UNUSED],
  },
};

async function makeSpModel(dir: string, model: SpModel): Promise<void> {
  const job = `${dir}.json`;
  writeFileSync(job, JSON.stringify({ ...model, out: dir }));
  const r = await run(
    venvBin("convert", "python"),
    [join(PY_DIR, "make_sp_model.py"), job],
    {},
    { timeoutMs: 300_000 },
  );
  assert.equal(r.code, 0, r.stderr.slice(-3000));
}

function metadataOf(file: string): Map<string, GgufValue> {
  const bytes = readFileSync(file);
  return parseGguf(bytes, bytes.length).metadata;
}

describe("convert --to gguf, SentencePiece and Llama HF vocabularies: the file llama.cpp's converter writes", () => {
  let dir = "";
  let cleanup = async () => {};
  const model = (name: string) => join(dir, name);
  const ref = (name: string) => join(dir, `${name}-ref.gguf`);
  const ours = (name: string) => join(dir, `${name}-ours.gguf`);
  const diffs = new Map<string, Comparison>();

  before(async () => {
    ({ path: dir, cleanup } = await tempDir("convert-spm"));
    await inParallel(
      Object.entries(MODELS).map(
        ([name, m]) =>
          () =>
            makeSpModel(model(name), m),
      ),
    );
    await inParallel(
      Object.entries(MODELS).map(([name, m]) => async () => {
        await referenceGguf(model(name), m.outtype, ref(name));
        const r = await runCli(
          ["convert", model(name), "--to", "gguf", "--type", m.outtype, "--output", ours(name), "--json"],
          {},
        );
        assert.equal(r.code, 0, r.stderr);
        diffs.set(name, await compareGguf(ours(name), ref(name), ["general.name"]));
      }),
    );
  });
  after(() => cleanup());

  for (const [name, m] of Object.entries(MODELS)) {
    test(`${name} to ${m.outtype}: keys, tensor infos and tensor bytes identical`, () => {
      const diff = diffs.get(name) as Comparison;
      assert.deepEqual(
        { kv: diff.kv, tensorInfo: diff.tensorInfo, tensorData: diff.tensorData },
        { kv: [], tensorInfo: [], tensorData: [] },
      );
      assert.ok(
        diff.tensors > 10 && diff.keys > 20,
        `compared ${diff.tensors} tensors and ${diff.keys} keys`,
      );
      const meta = metadataOf(ref(name));
      assert.deepEqual(meta.get("tokenizer.ggml.model"), { type: "string", value: "llama" });
      const types = meta.get("tokenizer.ggml.token_type") as { values: ArrayLike<number> };
      assert.deepEqual(
        [...new Set(Array.from(types.values))].sort(),
        [...m.types].sort(),
        "token types present",
      );
      assert.ok(meta.has("tokenizer.chat_template"), "the chat template is carried");
      assert.ok(meta.has("tokenizer.ggml.scores"), "scores are written");
      assert.equal(meta.has("tokenizer.ggml.add_space_prefix"), m.addPrefixSpace !== undefined);
      if (m.vocab === 32016)
        assert.deepEqual(meta.get("tokenizer.ggml.eot_token_id"), { type: "uint32", value: 32010 });
    });
  }

  // Every tokenizer key read back from both files (gguf_compare above already holds them equal),
  // and the reference holding what each phi3 case is for.
  const tokenizerKeys = (file: string) =>
    new Map([...metadataOf(file)].filter(([key]) => key.startsWith("tokenizer.")));
  const listOf = (meta: Map<string, GgufValue>, key: string) =>
    Array.from((meta.get(key) as { values: ArrayLike<string | number> }).values);

  test("phi3-spm-bpe: every tokenizer key is the reference's, with added tokens from all three files", () => {
    const theirs = tokenizerKeys(ref("phi3-spm-bpe"));
    assert.deepEqual(tokenizerKeys(ours("phi3-spm-bpe")), theirs);
    assert.deepEqual(theirs.get("tokenizer.ggml.pre"), { type: "string", value: "default" });
    const tokens = listOf(theirs, "tokenizer.ggml.tokens");
    const types = listOf(theirs, "tokenizer.ggml.token_type");
    const scores = listOf(theirs, "tokenizer.ggml.scores");
    const start = tokens.indexOf("<|im_start|>");
    const n = start + 5; // the tokenizer's size: its five added tokens end it
    assert.equal(tokens.length, n + 8);
    assert.deepEqual(tokens.slice(start), [
      "<|im_start|>",
      "<|im_end|>",
      "<|tool|>",
      "hello\u2581world",
      "wörld",
      "<|json_only|>",
      "json\u2581only",
      "<|decoder_wins|>",
      "<|json_special|>",
      "<|x|>",
      `[PAD${n + 5}]`,
      `[PAD${n + 6}]`,
      `[PAD${n + 7}]`,
    ]);
    const { CONTROL: C, USER_DEFINED: U, UNUSED } = TYPE;
    assert.deepEqual(types.slice(start), [C, C, U, U, U, U, U, U, C, U, UNUSED, UNUSED, UNUSED]);
    assert.deepEqual(scores.slice(n + 4), [-1000, -10000, -10000, -10000]);
    assert.ok(!tokens.includes("<|too_far|>") && !tokens.includes("<|decoder_loses|>"));
  });

  test("phi3-spm-default-vocab: every tokenizer key is the reference's, Phi3Config's 32064 ids", () => {
    const theirs = tokenizerKeys(ref("phi3-spm-default-vocab"));
    assert.deepEqual(tokenizerKeys(ours("phi3-spm-default-vocab")), theirs);
    const tokens = listOf(theirs, "tokenizer.ggml.tokens");
    const types = listOf(theirs, "tokenizer.ggml.token_type");
    assert.equal(tokens.length, 32064);
    assert.deepEqual(tokens.slice(0, 5), ["<unk>", "<s>", "</s>", "<ctrl>", "<sep>"]);
    assert.deepEqual(types.slice(0, 5), [
      TYPE.UNKNOWN,
      TYPE.CONTROL,
      TYPE.CONTROL,
      TYPE.CONTROL,
      TYPE.NORMAL,
    ]);
    assert.equal(types[tokens.indexOf("<|im_start|>")], TYPE.USER_DEFINED);
    assert.equal(tokens[32000], "[PAD32000]");
    assert.deepEqual(theirs.get("tokenizer.ggml.eos_token_id"), { type: "uint32", value: 32000 });
    assert.ok(!tokens.includes("<|past_default|>"));
  });

  // Where upstream's phi3 reader fails (an IndexError or KeyError), hubferry refuses the checkpoint
  // with a clear error and writes nothing, rather than guessing a vocabulary.
  interface Broken {
    what: string;
    file: string;
    edit: (json: JsonObject) => void;
    theirs: RegExp;
    mine: RegExp;
  }
  const far = { content: "<|far|>", special: true };
  const PHI3_BROKEN: Broken[] = [
    {
      what: "an added_tokens_decoder id past vocab_size",
      file: "tokenizer_config.json",
      edit: (json) => Object.assign(json.added_tokens_decoder as JsonObject, { 9999: far }),
      theirs: /IndexError/,
      mine: /added_tokens_decoder has token id 9999, past phi3's vocab_size/,
    },
    {
      what: "a tokenizer.json added token past vocab_size",
      file: "tokenizer.json",
      edit: (json) => (json.added_tokens as JsonObject[]).push({ id: 9999, ...far }),
      theirs: /IndexError/,
      mine: /tokenizer\.json's added_tokens has token id 9999, past phi3's vocab_size/,
    },
    {
      what: "a vocab_size below tokenizer.model's pieces",
      file: "config.json",
      edit: (json) => Object.assign(json, { vocab_size: 300 }),
      theirs: /IndexError/,
      mine: /tokenizer\.model has \d+ pieces, more than phi3's vocab_size of 300/,
    },
    {
      what: "a tokenizer_config.json without tokenizer_class",
      file: "tokenizer_config.json",
      edit: (json) => delete json.tokenizer_class,
      theirs: /KeyError: 'tokenizer_class'/,
      mine: /tokenizer_config\.json has no tokenizer_class/,
    },
  ];
  for (const [i, { what, file, edit, theirs, mine }] of PHI3_BROKEN.entries())
    test(`phi3 with ${what}: upstream fails, hubferry refuses it clearly and writes nothing`, async () => {
      const bad = join(dir, `phi3-broken-${i}`);
      cpSync(model("phi3-spm-bpe"), bad, { recursive: true });
      const json = JSON.parse(readFileSync(join(bad, file), "utf8")) as JsonObject;
      edit(json);
      writeFileSync(join(bad, file), JSON.stringify(json));
      const upstream = await run(
        venvBin("convert", "python"),
        [join(LLAMA_CPP, "convert_hf_to_gguf.py"), bad, "--outfile", `${bad}-ref.gguf`, "--dry-run"],
        {},
        { timeoutMs: 300_000 },
      );
      assert.notEqual(upstream.code, 0);
      assert.match(upstream.stderr, theirs);
      const out = `${bad}.gguf`;
      const r = await runCli(["convert", bad, "--to", "gguf", "--output", out, "--json"], {});
      assert.equal(r.code, 2, r.stderr);
      const error = eventsOf(r, "error")[0] as { code: string; message: string };
      assert.equal(error.code, "BAD_INPUT");
      assert.match(error.message, mine);
      assert.throws(() => readFileSync(out), /ENOENT/);
    });

  test("a truncated tokenizer.model is refused with a clear error and nothing is written", async () => {
    const bad = join(dir, "truncated");
    cpSync(model("llama-spm-bpe"), bad, { recursive: true });
    const whole = readFileSync(join(bad, "tokenizer.model"));
    writeFileSync(join(bad, "tokenizer.model"), whole.subarray(0, Math.floor(whole.length / 2)));
    const out = join(dir, "truncated.gguf");
    const r = await runCli(["convert", bad, "--to", "gguf", "--output", out, "--json"], {});
    assert.equal(r.code, 2, r.stderr);
    const error = eventsOf(r, "error")[0] as { code: string; message: string; hint: string };
    assert.equal(error.code, "BAD_INPUT");
    assert.match(error.message, /tokenizer\.model is not a SentencePiece model the converter can read/);
    assert.match(error.hint, /truncated/);
    assert.throws(() => readFileSync(out), /ENOENT/);
  });

  test("a tokenizer.json of another kind (Unigram) without tokenizer.model names what is supported", async () => {
    const other = join(dir, "unigram-json");
    cpSync(model("llama-spm-bpe"), other, { recursive: true });
    rmSync(join(other, "tokenizer.model"));
    const json = JSON.parse(readFileSync(join(other, "tokenizer.json"), "utf8"));
    json.model = { type: "Unigram", unk_id: 0, vocab: [["<unk>", 0]], byte_fallback: false };
    writeFileSync(join(other, "tokenizer.json"), JSON.stringify(json));
    const r = await runCli(["convert", other, "--to", "gguf", "--dry-run", "--json"], {});
    assert.equal(r.code, 2, r.stderr);
    const error = eventsOf(r, "error")[0] as { message: string; hint: string };
    assert.match(error.message, /model is Unigram with no BPE vocabulary/);
    assert.match(error.hint, /SentencePiece tokenizer\.model, Llama byte-fallback BPE and GPT-2 style BPE/);
  });
});
