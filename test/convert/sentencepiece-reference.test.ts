import assert from "node:assert/strict";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { GgufValue } from "../../src/convert/gguf/gguf-value.js";
import { parseGguf } from "../../src/convert/gguf/read-header.js";
import { eventsOf, runCli } from "../helpers/cli.js";
import { PY_DIR, run, venvBin } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";
import { type Comparison, compareGguf, inParallel, referenceGguf } from "./tiny-models.js";

/**
 * SentencePiece (tokenizer.model) and Llama HF (byte-fallback BPE tokenizer.json) vocabularies:
 * `hubferry convert --to gguf` against llama.cpp's convert_hf_to_gguf.py on tiny checkpoints
 * whose tokenizers are trained here with sentencepiece and saved by transformers' Llama
 * tokenizers (added and special tokens, a chat template). Every key (general.name aside), tensor
 * info and tensor byte identical, read back by gguf-py.
 */
interface SpModel {
  arch: "llama" | "qwen2";
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
