import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { folderSource } from "../../src/convert/checkpoint/folder-source.js";
import {
  type Checkpoint,
  readCheckpoint,
  type SourceTensor,
} from "../../src/convert/checkpoint/read-checkpoint.js";
import type { ConvertType } from "../../src/convert/type-policy.js";
import { runCli } from "../helpers/cli.js";
import { PY_DIR, run, venvBin } from "../helpers/python.js";
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
 * gemma, gemma2, gemma3 (text, and the multimodal checkpoint's text part) and phi3 against llama.cpp's convert_hf_to_gguf.py and
 * llama-quantize, and back through transformers' GGUF loader. gemma3 and phi3 carry real BPE
 * tokenizers; gemma 1/2 read only SentencePiece, so theirs is a tiny tokenizer.model trained in
 * the test. Every file is compared whole (`general.name` aside), vocabulary keys included.
 */
// Two decimals, as real configs write them: read back as the shortest float32 decimal.
const LONG_FACTOR = Array.from({ length: 32 }, (_, i) => Number((1 + 0.05 * i).toFixed(2)));
const MODELS: Record<string, TinyModel> = {
  // The vocabulary padded past the tokenizer, so upstream cuts token_embd to 128256 rows; tied;
  // head_dim 256 (not hidden/heads); q/k norms and the four gemma norms, all shifted by 1.
  gemma3: {
    arch: "gemma3",
    tokenizer: "llama3",
    hidden: 256,
    layers: 2,
    heads: 2,
    kvHeads: 1,
    ff: 512,
    vocab: 128512,
    dtype: "bfloat16",
    tie: true,
    seed: 11,
    headDim: 256,
  },
  // The multimodal checkpoint's text part (vision tower and projector left out), its text_config
  // without the fields at Gemma3TextConfig's defaults, as hub configs are: upstream fills them in.
  gemma3mm: {
    arch: "gemma3mm",
    tokenizer: "llama3",
    hidden: 256,
    layers: 2,
    heads: 2,
    kvHeads: 1,
    ff: 512,
    vocab: null,
    dtype: "bfloat16",
    tie: true,
    seed: 15,
    headDim: 256,
    dropConfig: [
      "head_dim",
      "rope_theta",
      "rope_local_base_freq",
      "rms_norm_eps",
      "query_pre_attn_scalar",
      "final_logit_softcapping",
      "attn_logit_softcapping",
      "rope_scaling",
    ],
  },
  // Fused qkv and gate_up, an untied head, LongRoPE (two factor tensors and an attn_factor key),
  // and the BPE vocabulary phi3 reads only when tokenizer_config.json says GPT2Tokenizer.
  phi3: {
    arch: "phi3",
    tokenizer: "qwen3",
    tokenizerClass: "GPT2Tokenizer",
    hidden: 256,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    ff: 512,
    vocab: null,
    dtype: "bfloat16",
    tie: false,
    seed: 12,
    ropeScaling: { type: "longrope", long_factor: LONG_FACTOR, short_factor: Array(32).fill(1) },
    extra: { max_position_embeddings: 16384, original_max_position_embeddings: 4096 },
  },
  // F16 weights: upstream adds gemma's 1 in half precision.
  gemma: {
    arch: "gemma",
    tokenizer: "spm",
    hidden: 256,
    layers: 2,
    heads: 2,
    kvHeads: 2,
    ff: 512,
    vocab: 512,
    dtype: "float16",
    tie: true,
    seed: 13,
    headDim: 256,
  },
  gemma2: {
    arch: "gemma2",
    tokenizer: "spm",
    hidden: 256,
    layers: 2,
    heads: 2,
    kvHeads: 1,
    ff: 512,
    vocab: 512,
    dtype: "bfloat16",
    tie: true,
    seed: 14,
    headDim: 256,
  },
};
/** Whole files through the CLI. */
const CASES: Array<[string, ConvertType]> = [
  ["gemma3", "f32"],
  ["gemma3mm", "f32"],
  ["phi3", "f32"],
];
/** llama-quantize on the reference's F32 file: gemma3's tied token_embd, phi3's attn_qkv as attn_v. */
const MIXES: Array<[string, string, number]> = [
  ["gemma3", "q4_k_m", 15],
  ["phi3", "q4_k_m", 15],
];
/** SentencePiece vocabularies (gemma 1/2 read nothing else), gemma's own keys after them. */
const SENTENCEPIECE: Array<[string, ConvertType]> = [
  ["gemma", "f32"],
  ["gemma2", "f16"],
];

async function cliGguf(dir: string, type: string, out: string, extra: string[] = []): Promise<void> {
  const r = await runCli(["convert", dir, "--to", "gguf", "--type", type, "--output", out, ...extra], {});
  assert.equal(r.code, 0, r.stderr);
}

async function cliSafetensors(gguf: string, dtype: string, out: string): Promise<void> {
  const r = await runCli(["convert", gguf, "--to", "safetensors", "--dtype", dtype, "--output", out], {});
  assert.equal(r.code, 0, r.stderr);
}

const noDiffs = (diff: Comparison) => ({
  kv: diff.kv,
  tensorInfo: diff.tensorInfo,
  tensorData: diff.tensorData,
});

describe("gemma, gemma2, gemma3 and phi3 to GGUF: what llama.cpp writes", () => {
  let dir = "";
  let cleanup = async () => {};
  const model = (name: string) => join(dir, name);
  const ref = (name: string, type: string) => join(dir, "ref", `${name}-${type}.gguf`);
  const ours = (name: string, type: string) => join(dir, "ours", `${name}-${type}.gguf`);
  const results = new Map<string, Comparison>();

  before(async () => {
    ({ path: dir, cleanup } = await tempDir("arch-ref"));
    mkdirSync(join(dir, "ref"));
    await inParallel(
      Object.entries(MODELS).map(
        ([name, m]) =>
          () =>
            makeTinyModel(model(name), m),
      ),
    );
    await inParallel(
      [...CASES, ...SENTENCEPIECE].map(
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
    await inParallel([
      ...[...CASES, ...MIXES, ...SENTENCEPIECE].map(([name, type]) => async () => {
        await cliGguf(model(name), type, ours(name, type));
        results.set(
          `${name}-${type}`,
          await compareGguf(ours(name, type), ref(name, type), ["general.name"]),
        );
      }),
    ]);
  });
  after(() => cleanup());

  for (const [name, type] of [...CASES, ...MIXES])
    test(`${name} to ${type}: keys, tensor infos and tensor bytes identical`, () => {
      const diff = results.get(`${name}-${type}`) as Comparison;
      assert.deepEqual(noDiffs(diff), { kv: [], tensorInfo: [], tensorData: [] });
      assert.ok(
        diff.tensors > 15 && diff.keys > 25,
        `compared ${diff.tensors} tensors and ${diff.keys} keys`,
      );
    });

  for (const [name, type] of SENTENCEPIECE)
    test(`${name} to ${type}: its SentencePiece vocabulary, every key, tensor info and byte identical`, () => {
      const diff = results.get(`${name}-${type}`) as Comparison;
      assert.deepEqual(noDiffs(diff), { kv: [], tensorInfo: [], tensorData: [] });
      assert.ok(
        diff.tensors >= 20 && diff.keys >= 25,
        `compared ${diff.tensors} tensors and ${diff.keys} keys`,
      );
    });
});

describe("gemma, gemma2, gemma3 and phi3 back to safetensors", () => {
  let dir = "";
  let cleanup = async () => {};
  const model = (name: string) => join(dir, name);
  // No reference converter here, so small vocabularies (the real tokenizers' first 1024 tokens,
  // their pre-tokenizer named with --pre): transformers' loader then takes seconds, not minutes.
  // gemma3's vocabulary is the tokenizer's, as the loader sizes the embedding by the token list.
  const models: Record<string, TinyModel> = {
    gemma3: { ...(MODELS.gemma3 as TinyModel), vocab: null, truncateVocab: 1024 },
    phi3: {
      ...(MODELS.phi3 as TinyModel),
      truncateVocab: 1024,
      extra: { ...MODELS.phi3?.extra, pad_token_id: 0, bos_token_id: 0, eos_token_id: 0 },
    },
    gemma2: MODELS.gemma2 as TinyModel,
    // bf16 here: an F16 norm, 1 added in half precision, need not come back bit for bit.
    gemma: { ...(MODELS.gemma as TinyModel), dtype: "bfloat16" },
  };
  const pre: Record<string, string[]> = { gemma3: ["--pre", "llama-bpe"], phi3: ["--pre", "qwen2"] };

  before(async () => {
    ({ path: dir, cleanup } = await tempDir("arch-back"));
    mkdirSync(join(dir, "gguf"));
    await inParallel(
      Object.entries(models).map(
        ([name, m]) =>
          () =>
            makeTinyModel(model(name), m),
      ),
    );
  });
  after(() => cleanup());

  async function judge(file: string, out: string, dropped: string[] = []): Promise<string[]> {
    const r = await run(
      venvBin("convert", "python"),
      [join(PY_DIR, "hf_from_gguf.py"), join(dir, "gguf"), file, out, dropped.join(",")],
      {},
      { timeoutMs: 300_000 },
    );
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    return (JSON.parse(r.stdout.trim().split("\n").pop() as string) as { diffs: string[] }).diffs;
  }

  test("gemma3 Q4_K_M: every tensor (norms less 1) and the config as transformers' GGUF loader reads them", async () => {
    await cliGguf(model("gemma3"), "q4_k_m", join(dir, "gguf", "gemma3-q4_k_m.gguf"), pre.gemma3);
    const out = join(dir, "gemma3-from-q4km");
    await cliSafetensors(join(dir, "gguf", "gemma3-q4_k_m.gguf"), "f32", out);
    assert.deepEqual(await judge("gemma3-q4_k_m.gguf", out), []);
  });

  test("phi3 F16: fused tensors and config as transformers loads them; LongRoPE back in rope_scaling", async () => {
    await cliGguf(model("phi3"), "f16", join(dir, "gguf", "phi3-f16.gguf"), pre.phi3);
    const out = join(dir, "phi3-from-f16");
    await cliSafetensors(join(dir, "gguf", "phi3-f16.gguf"), "f32", out);
    // transformers' loader drops LongRoPE (its factors are tensors in GGUF); ours reads them back.
    assert.deepEqual(await judge("phi3-f16.gguf", out, ["rope_scaling"]), []);
    const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    const source = JSON.parse(readFileSync(join(model("phi3"), "config.json"), "utf8"));
    assert.deepEqual(config.rope_scaling, source.rope_scaling);
    assert.equal(config.original_max_position_embeddings, 4096);
  });

  for (const name of ["gemma3", "phi3", "gemma2", "gemma"])
    test(`${name}: safetensors (bf16) -> GGUF f32 -> safetensors bf16 gives the source's tensors and family config back`, async () => {
      const gguf = join(dir, "gguf", `${name}-f32.gguf`);
      await cliGguf(model(name), "f32", gguf, pre[name]);
      const out = join(dir, `${name}-round-trip`);
      await cliSafetensors(gguf, "bf16", out);
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
      for (const key of [
        "architectures",
        "head_dim",
        "sliding_window",
        "attn_logit_softcapping",
        "final_logit_softcapping",
        "query_pre_attn_scalar",
        "rope_local_base_freq",
        "partial_rotary_factor",
        "rope_scaling",
        "tie_word_embeddings",
        "vocab_size",
      ])
        if (key in source.config) assert.deepEqual(back.config[key] ?? null, source.config[key], key);
    });
});
