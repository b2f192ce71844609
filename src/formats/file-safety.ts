/**
 * The pull policy's view of a file: safe formats are fetched by default, pickle-based weights are
 * refused unless the user consents, and everything else is fetched only when asked for by name.
 */
export type FileSafety = "safe" | "pickle" | "other";

/** Formats that load without running code: tensors, configs, text, tokenizers, data, media. */
const SAFE_EXTENSIONS = new Set([
  "safetensors",
  "gguf",
  "json",
  "jsonl",
  "yaml",
  "yml",
  "toml",
  "txt",
  "md",
  "jinja",
  "model", // sentencepiece
  "spm",
  "tiktoken",
  "bpe",
  "vocab",
  "merges",
  "csv",
  "tsv",
  "parquet",
  "arrow",
  "png",
  "jpg",
  "jpeg",
  "gif",
  "webp",
  "svg",
  "wav",
  "mp3",
  "flac",
  "ogg",
]);

/** Pickle-based serialisations: loading one can run arbitrary code. */
const PICKLE_EXTENSIONS = new Set(["bin", "pt", "pth", "pkl", "pickle", "ckpt", "joblib", "dill"]);

/** Plain-text files that carry no extension. */
const SAFE_NAMES = new Set([".gitattributes", ".gitignore", "license", "notice", "readme", "copying"]);

function extensionOf(path: string): string {
  const name = path.split("/").pop() ?? path;
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

export function classifyFileSafety(path: string): FileSafety {
  const name = (path.split("/").pop() ?? path).toLowerCase();
  if (SAFE_NAMES.has(name)) return "safe";
  const ext = extensionOf(path);
  if (PICKLE_EXTENSIONS.has(ext)) return "pickle";
  if (SAFE_EXTENSIONS.has(ext)) return "safe";
  return "other";
}

/** Weight files in either family, the unit "when a repo has both formats" is decided on. */
export function isWeightFile(path: string): boolean {
  const ext = extensionOf(path);
  if (ext === "safetensors" || ext === "gguf") return true;
  // `training_args.bin` and friends are pickles but not weights; they are still refused as pickles.
  return ["bin", "pt", "pth", "ckpt"].includes(ext) && !/(^|\/)training_args\.bin$/.test(path);
}
