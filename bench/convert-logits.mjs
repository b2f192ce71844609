#!/usr/bin/env node
// Bar 6 of the conversion issue, run once (too slow for every CI run): a tiny llama is *trained*
// (bench/python/train_tiny_llama.py: SentencePiece vocabulary of 1024, hidden 256, 4 layers), once
// with llama3 rope scaling and once without; `hubferry convert` makes each GGUF type of it; the
// llama-cpp-python binding (over the libllama scripts/setup-ggml.mjs builds, f32 KV cache) gives
// the logits of a held-out text for each, compared with transformers' float32 logits on the source:
// max |diff|, mean KL(transformers || llama.cpp) and top-1 agreement, beside the figures in
// ../shared/protocol/gguf-notes.md, and beside the same figures for the reference's own GGUF of
// each type (convert_hf_to_gguf.py; llama-quantize for the mixes). Results: bench/results/convert-logits.md. `npm run bench:logits`.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { scratchDir } from "./lib/scratch.mjs";
import { timedOrThrow } from "./lib/timed.mjs";

const root = new URL("..", import.meta.url).pathname;
const log = (s) => process.stderr.write(`${s}\n`);
const outArg = process.argv.indexOf("--out");
const out = outArg > 0 ? process.argv[outArg + 1] : join(root, "bench/results/convert-logits.md");
const stepsArg = process.argv.indexOf("--steps");
const steps = stepsArg > 0 ? Number(process.argv[stepsArg + 1]) : 1000;
const TYPES = ["f32", "f16", "bf16", "q8_0", "q6_k", "q5_k_m", "q4_k_m", "q4_0"];
// ../shared/protocol/gguf-notes.md, "Accuracy seen on a tiny trained llama".
const NOTES = {
  f32: [5e-6, 1e-13],
  f16: [3e-3, 4e-8],
  bf16: [3e-2, 3e-6],
  q8_0: [5e-2, 2e-5],
  q6_k: [0.25, 2e-4],
  q5_k_m: [0.48, 5e-4],
  q4_k_m: [0.48, 7e-4],
  q4_0: [1.5, 3.5e-3],
};
const python = join(root, ".venv/convert/bin/python");
const llamaCpp = join(root, ".venv/ggml/llama_cpp_python-0.3.36/vendor/llama.cpp");
const quantizeRef = join(root, ".venv/ggml/bin/llama_quantize_ref");
// llama_ftype of the types llama-quantize makes (convert_hf_to_gguf.py makes the float ones and q8_0).
const FTYPE = { q6_k: 18, q5_k_m: 17, q4_k_m: 15, q4_0: 2 };
const env = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  LANG: "C.UTF-8",
  TQDM_DISABLE: "1",
  TRANSFORMERS_VERBOSITY: "error",
  // The binding's sources are in the llama.cpp tree the set-up unpacked; its libllama is the build.
  PYTHONPATH: join(root, ".venv/ggml/llama_cpp_python-0.3.36"),
  LLAMA_CPP_LIB_PATH: join(root, ".venv/ggml/build/bin"),
};

const must = (what, cmd, argv) => timedOrThrow(what, cmd, argv, env);

const lastJson = (text) => JSON.parse(text.trim().split("\n").pop());
const fmt = (x) => (x === 0 ? "0" : x < 1e-3 || x >= 1e3 ? x.toExponential(1) : x.toPrecision(2));

const { dir, cleanup } = await scratchDir("hubferry-logits-bench-", log);
const sections = [];
try {
  for (const ropeScaling of [false, true]) {
    const model = join(dir, ropeScaling ? "rope-llama3" : "rope-plain");
    log(`training the tiny llama (${steps} steps, rope scaling ${ropeScaling ? "llama3" : "none"})...`);
    const trained = lastJson(
      (
        await must("train_tiny_llama", python, [
          join(root, "bench/python/train_tiny_llama.py"),
          JSON.stringify({ out: model, steps, seed: 1, lr: 1e-3, ropeScaling }),
        ])
      ).out,
    );
    const ggufs = {};
    for (const type of TYPES) {
      ggufs[type] = join(model, `${type}.gguf`);
      await must(`convert ${type}`, process.execPath, [
        join(root, "bin/hubferry.js"),
        "convert",
        model,
        "--to",
        "gguf",
        "--type",
        type,
        "--output",
        ggufs[type],
      ]);
    }
    // The reference's GGUF of each type, to tell the converter's part from llama.cpp's own.
    for (const type of TYPES) {
      const ref = join(model, `ref-${type}.gguf`);
      if (type in FTYPE)
        await must("llama_model_quantize", quantizeRef, [
          join(model, "ref-f32.gguf"),
          ref,
          String(FTYPE[type]),
        ]);
      else
        await must("convert_hf_to_gguf", python, [
          join(llamaCpp, "convert_hf_to_gguf.py"),
          model,
          "--outtype",
          type,
          "--outfile",
          ref,
        ]);
      ggufs[`ref-${type}`] = ref;
    }
    log("logits: transformers vs llama.cpp...");
    const text = readFileSync(join(model, "held_out.txt"), "utf8");
    const report = lastJson(
      (
        await must("logits_compare", python, [
          join(root, "bench/python/logits_compare.py"),
          JSON.stringify({ model, ggufs, text, threads: cpus().length }),
        ])
      ).out,
    );
    const lines = [
      `### ${ropeScaling ? "llama3 rope scaling (rope_freqs tensor)" : "plain rope"}: final training loss ${trained.loss.toFixed(2)}, ${report.tokens} tokens`,
      "",
      "| GGUF type | max abs logit diff | KL mean | top-1 agreement | reference's GGUF: max abs, KL mean | notes: max abs, KL mean |",
      "| --- | --- | --- | --- | --- | --- |",
    ];
    for (const type of TYPES) {
      const r = report.rows[type];
      const ref = report.rows[`ref-${type}`];
      const [noteMax, noteKl] = NOTES[type];
      lines.push(
        `| ${type} | ${fmt(r.max_abs)} | ${fmt(r.kl_mean)} | ${(r.top1 * 100).toFixed(1)}% | ${fmt(ref.max_abs)}, ${fmt(ref.kl_mean)} | ${fmt(noteMax)}, ${fmt(noteKl)} |`,
      );
    }
    const same = Object.values(report.same_tokens).every(Boolean);
    const identical = TYPES.every(
      (t) => JSON.stringify(report.rows[t]) === JSON.stringify(report.rows[`ref-${t}`]),
    );
    lines.push(
      "",
      identical
        ? "Every type's logits equal those of the reference's GGUF (convert_hf_to_gguf.py, and llama-quantize for the mixes) to the last bit: what differs from transformers is llama.cpp's arithmetic, not the conversion."
        : "Some type's logits differ from those of the reference's GGUF: see the columns.",
    );
    const sameSp = Object.values(report.same_as_sentencepiece).every(Boolean);
    lines.push(
      "",
      `Tokenization of the text: llama.cpp's ${same ? "equals" : "differs from"} transformers' fast tokenizer's, and ${sameSp ? "equals" : "differs from"} SentencePiece's own (transformers' ${report.hf_same_as_sentencepiece ? "equals" : "differs from"} SentencePiece's). The logits above are for transformers' ids on both sides.`,
    );
    sections.push(lines.join("\n"));
  }
} finally {
  await cleanup();
}

const doc = `# GGUF logits against transformers (bar 6)

${new Date().toISOString().slice(0, 10)}; a tiny llama trained ${steps} steps on CPU (SentencePiece BPE vocabulary of 1024,
hidden 256, 4 layers, 4 heads, 2 KV heads, ff 768, untied head); each GGUF written by
\`hubferry convert\`; llama.cpp through the llama-cpp-python 0.3.36 binding, f32 KV cache,
${cpus().length} threads; transformers 4.57.6 float32 on the source. \`npm run bench:logits\`.

${sections.join("\n\n")}
`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, doc);
process.stdout.write(doc);
