#!/usr/bin/env node
// K-quant codec throughput: hubferry's TypeScript encoders and decoders (from dist/) beside ggml's
// reference quantizers (libggml-base from scripts/setup-ggml.mjs, through ggml_ref.py) and gguf-py's
// numpy dequantize, on the same weight-like values (normal, std 0.02). One thread each. The TS
// figures are CPU time of this process (less sensitive to a busy machine than wall time); the
// reference figures are the wall time of the C / numpy call alone. Also checks that the bytes agree.
// Results: bench/results/k-quants.md (or --out). `npm run bench:kquants` builds dist/ first.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const option = (flag, fallback) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : fallback;
};
const blocks = Math.round(Number(option("--blocks", "4096")));
const out = option("--out", join(root, "bench/results/k-quants.md"));
const K = await import(join(root, "dist/convert/ggml/k-quants/index.js"));
const TYPES = [
  ["Q2_K", 10, K.encodeQ2K, K.decodeQ2K],
  ["Q3_K", 11, K.encodeQ3K, K.decodeQ3K],
  ["Q4_K", 12, K.encodeQ4K, K.decodeQ4K],
  ["Q5_K", 13, K.encodeQ5K, K.decodeQ5K],
  ["Q6_K", 14, K.encodeQ6K, K.decodeQ6K],
];

function weights(n) {
  let a = 12345;
  const r = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()) * 0.02;
  return v;
}

function cpuMs(f) {
  const c = process.cpuUsage();
  const result = f();
  const d = process.cpuUsage(c);
  return [result, (d.user + d.system) / 1000];
}

const n = blocks * 256;
const values = weights(n);
const work = mkdtempSync(join(tmpdir(), "hubferry-kq-bench-"));
const rows = [];
try {
  writeFileSync(join(work, "in.f32"), new Uint8Array(values.buffer));
  const jobs = [];
  const ours = {};
  for (const [name, id, encode, decode] of TYPES) {
    encode(values.subarray(0, 256 * 64)); // warm up the JIT
    const [bytes, encMs] = cpuMs(() => encode(values));
    // Decoding is quick: the best of 5 runs, so the clock's granularity does not dominate.
    const decMs = Math.min(...[0, 1, 2, 3, 4].map(() => cpuMs(() => decode(bytes))[1]));
    ours[name] = { bytes, encMs, decMs };
    const ref = join(work, `${name}.ref`);
    jobs.push({ op: "quantize", type: id, input: join(work, "in.f32"), n_per_row: 256, output: ref });
    jobs.push({ op: "dequantize", type: id, input: ref, output: `${ref}.f32` });
  }
  const py = join(root, ".venv", "gguf", "bin", "python");
  const r = spawnSync(py, [join(root, "test/interop/python/ggml_ref.py"), JSON.stringify({ jobs })], {
    encoding: "utf8",
  });
  const answer = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}");
  if (!answer.ok) throw new Error(`ggml_ref.py failed (run npm run setup): ${r.stdout}${r.stderr}`);
  const mvs = (ms) => (n / ms / 1000).toFixed(1);
  for (const [i, [name]] of TYPES.entries()) {
    const o = ours[name];
    const same = Buffer.compare(Buffer.from(o.bytes), readFileSync(join(work, `${name}.ref`))) === 0;
    const [cEnc, pyDec] = [answer.seconds[2 * i] * 1000, answer.seconds[2 * i + 1] * 1000];
    rows.push(
      `| ${name} | ${mvs(o.encMs)} | ${mvs(cEnc)} | ${mvs(o.decMs)} | ${mvs(pyDec)} | ${same ? "yes" : "NO"} |`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const md = [
  `# K-quant codecs: throughput (${new Date().toISOString().slice(0, 10)})`,
  "",
  `${blocks} blocks (${n} values, normal std 0.02), one thread; ${cpus()[0]?.model ?? "?"} x${cpus().length},`,
  `load ${loadavg()[0].toFixed(2)}; node ${process.version}. Millions of values per second.`,
  "",
  "| type | TS encode | ggml C encode | TS decode | gguf-py decode | same bytes |",
  "| --- | --- | --- | --- | --- | --- |",
  ...rows,
  "",
].join("\n");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, md);
process.stdout.write(md);
