import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type CliRun, eventsOf, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import {
  type Comparison,
  compareGguf,
  inParallel,
  makeTinyModel,
  quantizedReference,
  referenceGguf,
  type TinyModel,
} from "./tiny-models.js";

/**
 * `hubferry convert ... --to gguf` against llama.cpp's convert_hf_to_gguf.py on the same tiny
 * checkpoints: every key (general.name aside: upstream derives it from the folder name by
 * heuristics), every tensor info and every tensor's bytes identical, read back by gguf-py.
 */
const MODELS: Record<string, TinyModel> = {
  // Llama 3's real BPE tokenizer; tied embeddings; grouped-query attention (K rows permuted by 2 heads).
  llama: {
    arch: "llama",
    tokenizer: "llama3",
    hidden: 256,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    ff: 512,
    vocab: null,
    dtype: "bfloat16",
    tie: true,
    seed: 1,
  },
  // Qwen's tokenizer with the vocabulary padded past the tokenizer ([PAD] tokens), q/k/v biases, an untied head.
  qwen2: {
    arch: "qwen2",
    tokenizer: "qwen3",
    hidden: 256,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    ff: 512,
    vocab: 151936,
    dtype: "bfloat16",
    tie: false,
    seed: 2,
  },
  // Q/K norms, F16 weights, two safetensors shards with an index.
  qwen3: {
    arch: "qwen3",
    tokenizer: "qwen3",
    hidden: 256,
    layers: 2,
    heads: 4,
    kvHeads: 4,
    ff: 768,
    vocab: null,
    dtype: "float16",
    tie: true,
    seed: 3,
    shardBytes: "40MB",
  },
};
/** Each output type at least once; gguf-py takes about 7 s to read a file with a 128k vocabulary. */
const CASES: Array<[keyof typeof MODELS, string]> = [
  ["llama", "f32"],
  ["llama", "q8_0"],
  ["qwen2", "f16"],
  ["qwen2", "f32"],
  ["qwen3", "bf16"],
];
/**
 * llama-quantize's mixes, judged by llama.cpp's llama_model_quantize on convert's F32 GGUF (the
 * same values): 2 layers (llama) and 4 (qwen2) exercise the "more bits" layer rule both ways.
 */
const MIXES: Array<[keyof typeof MODELS, string, number]> = [
  ["llama", "q4_k_m", 15],
  ["qwen2", "q5_k_m", 17],
  ["llama", "q4_0", 2],
];

describe("convert --to gguf: the same file llama.cpp's converter writes", () => {
  let dir = "";
  let cleanup = async () => {};
  const model = (name: string) => join(dir, name);
  const ref = (name: string, type: string) => join(dir, "ref", `${name}-${type}.gguf`);
  const ours = (name: string, type: string) => join(dir, "ours", `${name}-${type}.gguf`);
  const results = new Map<string, { run: CliRun; diff: Comparison }>();

  before(async () => {
    ({ path: dir, cleanup } = await tempDir("convert-ref"));
    mkdirSync(join(dir, "ref"));
    await inParallel(
      Object.entries(MODELS).map(
        ([name, m]) =>
          () =>
            makeTinyModel(model(name), m),
      ),
    );
    await inParallel(
      CASES.map(
        ([name, type]) =>
          () =>
            referenceGguf(model(name), type, ref(name, type)),
      ),
    );
    await inParallel(
      MIXES.map(
        ([name, mix, ftype]) =>
          () =>
            quantizedReference(ref(name, "f32"), ref(name, mix), ftype),
      ),
    );
    await inParallel(
      [...CASES, ...MIXES].map(([name, type]) => async () => {
        const args = [
          "convert",
          model(name),
          "--to",
          "gguf",
          "--type",
          type,
          "--output",
          ours(name, type),
          "--json",
        ];
        const run = await runCli(args, {});
        assert.equal(run.code, 0, run.stderr);
        results.set(`${name}-${type}`, {
          run,
          diff: await compareGguf(ours(name, type), ref(name, type), ["general.name"]),
        });
      }),
    );
  });
  after(() => cleanup());

  for (const [name, type] of [...CASES, ...MIXES]) {
    test(`${name} to ${type}: keys, tensor infos and tensor bytes identical`, async () => {
      const { run, diff } = results.get(`${name}-${type}`) as { run: CliRun; diff: Comparison };
      const done = eventsOf(run, "file_done")[0];
      assert.equal(
        done?.sha256,
        createHash("sha256")
          .update(readFileSync(ours(name, type)))
          .digest("hex"),
        "file_done names the file's sha256",
      );
      assert.deepEqual(
        { kv: diff.kv, tensorInfo: diff.tensorInfo, tensorData: diff.tensorData },
        { kv: [], tensorInfo: [], tensorData: [] },
      );
      assert.ok(
        diff.tensors > 10 && diff.keys > 20,
        `compared ${diff.tensors} tensors and ${diff.keys} keys`,
      );
    });
  }

  test("--dry-run prints every tensor's name, shape and type and writes nothing", async () => {
    const out = join(dir, "dry", "never.gguf");
    const r = await runCli(
      ["convert", model("llama"), "--to", "gguf", "--type", "q8_0", "--output", out, "--dry-run", "--json"],
      {},
    );
    assert.equal(r.code, 0, r.stderr);
    const plan = eventsOf(r, "convert_plan")[0] as {
      tensors: Array<{ name: string; shape: number[]; type: string }>;
      architecture: string;
      bytes: number;
    };
    assert.equal(plan.architecture, "llama");
    assert.deepEqual(
      plan.tensors.find((t) => t.name === "token_embd.weight"),
      { name: "token_embd.weight", shape: [256, 128256], type: "Q8_0", bytes: 128256 * 8 * 34 },
    );
    assert.equal(plan.tensors.find((t) => t.name === "blk.0.attn_norm.weight")?.type, "F32");
    assert.equal(plan.bytes, readFileSync(ours("llama", "q8_0")).length, "the plan's size is the file's");
    assert.throws(() => readdirSync(join(dir, "dry")), /ENOENT/);
    const human = await runCli(["convert", model("qwen2"), "--to", "gguf", "--type", "f16", "--dry-run"], {});
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /blk\.1\.attn_q\.bias\s+F32\s+\[256\]/);
    assert.match(human.stdout, /dry run: nothing was read past the headers and nothing was written/);
  });
});
