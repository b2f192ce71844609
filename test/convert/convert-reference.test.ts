import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { folderSource } from "../../src/convert/checkpoint/folder-source.js";
import {
  type Checkpoint,
  readCheckpoint,
  type SourceTensor,
} from "../../src/convert/checkpoint/read-checkpoint.js";
import { type CliRun, eventsOf, runCli } from "../helpers/cli.js";
import { PY_DIR, run, venvBin } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";
import {
  type Comparison,
  compareGguf,
  inParallel,
  LLAMA3_ROPE,
  makeTinyModel,
  quantizedReference,
  referenceGguf,
  type TinyModel,
  tinyModel,
} from "./tiny-models.js";

/**
 * `hubferry convert ... --to gguf` against llama.cpp's convert_hf_to_gguf.py on the same tiny
 * checkpoints: every key (general.name aside: upstream derives it from the folder name by
 * heuristics), every tensor info and every tensor's bytes identical, read back by gguf-py.
 */
const MODELS: Record<string, TinyModel> = {
  // Llama 3's real BPE tokenizer and rope scaling (the rope_freqs tensor); tied embeddings;
  // grouped-query attention (K rows permuted by 2 heads).
  llama: tinyModel("llama3", { ropeScaling: LLAMA3_ROPE }),
  // Qwen's tokenizer with the vocabulary padded past the tokenizer ([PAD] tokens), q/k/v biases, an untied head.
  qwen2: tinyModel("qwen3", { arch: "qwen2", vocab: 151936, tie: false, seed: 2 }),
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

describe("convert --to safetensors: what transformers' GGUF loader reads, and the round trip", () => {
  let dir = "";
  let cleanup = async () => {};
  const model = (name: string) => join(dir, name);

  before(async () => {
    ({ path: dir, cleanup } = await tempDir("convert-back"));
    await inParallel([
      () => makeTinyModel(model("llama"), MODELS.llama as TinyModel),
      () => makeTinyModel(model("qwen2"), MODELS.qwen2 as TinyModel),
    ]);
  });
  after(() => cleanup());

  async function toGguf(name: string, type: string): Promise<string> {
    const out = join(dir, "gguf", `${name}-${type}.gguf`);
    const r = await runCli(["convert", model(name), "--to", "gguf", "--type", type, "--output", out], {});
    assert.equal(r.code, 0, r.stderr);
    return out;
  }

  async function toSafetensors(gguf: string, dtype: string, out: string): Promise<CliRun> {
    const r = await runCli(
      ["convert", gguf, "--to", "safetensors", "--dtype", dtype, "--output", out, "--json"],
      {},
    );
    assert.equal(r.code, 0, r.stderr);
    return r;
  }

  test("a Q4_K_M llama back to safetensors: every tensor's name, shape and float32 bits as transformers loads them, and its config", async () => {
    const gguf = await toGguf("llama", "q4_k_m");
    const out = join(dir, "llama-from-q4km");
    await toSafetensors(gguf, "f32", out);
    const r = await run(
      venvBin("convert", "python"),
      [join(PY_DIR, "hf_from_gguf.py"), join(dir, "gguf"), "llama-q4_k_m.gguf", out],
      {},
      { timeoutMs: 300_000 },
    );
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const result = JSON.parse(r.stdout.trim().split("\n").pop() as string) as {
      diffs: string[];
      tensors: number;
    };
    assert.deepEqual(result.diffs, []);
    assert.equal(result.tensors, 20, "every tensor of a tied 2-layer llama");
  });

  for (const name of ["llama", "qwen2"] as const) {
    test(`${name}: safetensors (bf16) -> GGUF f32 -> safetensors bf16 gives the source's tensors back, bit for bit`, async () => {
      const gguf = await toGguf(name, "f32");
      const out = join(dir, `${name}-round-trip`);
      await toSafetensors(gguf, "bf16", out);
      const source = await readCheckpoint(await folderSource(model(name)));
      const back = await readCheckpoint(await folderSource(out));
      const bytes = async (c: Checkpoint, t: SourceTensor) =>
        Buffer.from(await c.source.readRange(t.file, t.offset, t.byteLength));
      const byName = new Map(back.tensors.map((t) => [t.name, t]));
      assert.deepEqual([...byName.keys()].sort(), source.tensors.map((t) => t.name).sort());
      for (const t of source.tensors) {
        const other = byName.get(t.name) as SourceTensor;
        assert.deepEqual([other.dtype, other.shape], [t.dtype, t.shape], t.name);
        assert.ok((await bytes(source, t)).equals(await bytes(back, other)), `${t.name}: bytes differ`);
      }
      assert.equal(back.config.num_key_value_heads, source.config.num_key_value_heads);
    });
  }
});
