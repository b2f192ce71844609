import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { eventsOf, runCli } from "../helpers/cli.js";
import { runPython } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";
import { inParallel, makeTinyModel, type TinyModel, tinyModel } from "./tiny-models.js";

/**
 * GGUF -> safetensors rebuilds the tokenizer from the GGUF's vocabulary. The judge is the source
 * model's own tokenizer: loaded by transformers, the rebuilt one must give the same ids for every
 * text (scripts, digits, contractions, whitespace runs, special tokens written in the text), decode
 * them the same, and render the chat template the same. BOS follows the GGUF's add_bos_token.
 */
const TEXTS = [
  "Hello world",
  " leading space and  two  spaces\tand a tab",
  "I'm sure you'LL see they've DON'T",
  "1234567890 3.14159 1,000,000",
  "Ünïcödé: 日本語のテキスト, 中文, العربية, Ελληνικά, emoji 🤗🚀",
  "line one\nline two\r\n\n\n  indented\n",
  "def f(x):\n    return x ** 2  # comment",
  "<|im_start|>user\nhi<|im_end|>",
  "<|begin_of_text|>text<|eot_id|>",
  "e\u0301 (decomposed) vs \u00e9 (composed)",
  "",
];

const MODELS: Record<string, TinyModel> = {
  llama3: tinyModel("llama3", { layers: 1, seed: 3 }),
  qwen3: tinyModel("qwen3", { layers: 1, seed: 4 }),
};

interface Report {
  mismatches: unknown[];
  chat_same: boolean | null;
  with_specials: number[];
  bos: string | null;
  vocab: number;
  original_vocab: number;
}

describe("GGUF -> safetensors: the tokenizer rebuilt from the vocabulary", () => {
  let dir = "";
  let cleanup = async () => {};
  before(async () => {
    ({ path: dir, cleanup } = await tempDir("tokenizer-rebuild"));
    await inParallel(
      Object.entries(MODELS).map(
        ([name, m]) =>
          () =>
            makeTinyModel(join(dir, name), m),
      ),
    );
  });
  after(() => cleanup());

  for (const name of Object.keys(MODELS)) {
    test(`${name}: same ids, decoding and chat rendering as the source tokenizer`, async () => {
      const gguf = join(dir, `${name}.gguf`);
      const toGguf = await runCli(
        ["convert", join(dir, name), "--to", "gguf", "--type", "f16", "--output", gguf],
        {},
      );
      assert.equal(toGguf.code, 0, toGguf.stderr);
      const back = join(dir, `${name}-back`);
      const r = await runCli(["convert", gguf, "--to", "safetensors", "--output", back, "--json"], {});
      assert.equal(r.code, 0, r.stderr);
      const plan = eventsOf(r, "convert_plan")[0] as { warnings: string[] };
      assert.deepEqual(
        plan.warnings.filter((w) => w.includes("tokenizer")),
        [],
      );
      assert.ok(existsSync(join(back, "tokenizer.json")) && existsSync(join(back, "tokenizer_config.json")));
      const report = await runPython<Report>(
        "convert",
        "tokenizer_compare.py",
        { original: join(dir, name), rebuilt: back, texts: TEXTS },
        {},
      );
      assert.deepEqual(report.mismatches, []);
      assert.equal(report.vocab, report.original_vocab);
      assert.equal(report.chat_same, true);
      const addBos = JSON.parse(readFileSync(join(back, "tokenizer_config.json"), "utf8")).add_bos_token;
      assert.equal(report.with_specials.length, addBos ? 2 : 1, "BOS as the GGUF says");
    });
  }
});
