import ignore from "ignore";

/** The .gitattributes a new repo starts with on the Hugging Face Hub. */
export const DEFAULT_GITATTRIBUTES = `${[
  "*.7z",
  "*.arrow",
  "*.bin",
  "*.bz2",
  "*.ckpt",
  "*.ftz",
  "*.gguf",
  "*.gz",
  "*.h5",
  "*.joblib",
  "*.lfs.*",
  "*.mlmodel",
  "*.model",
  "*.msgpack",
  "*.npy",
  "*.npz",
  "*.onnx",
  "*.ot",
  "*.parquet",
  "*.pb",
  "*.pickle",
  "*.pkl",
  "*.pt",
  "*.pth",
  "*.rar",
  "*.safetensors",
  "saved_model/**/*",
  "*.tar.*",
  "*.tar",
  "*.tflite",
  "*.tgz",
  "*.wasm",
  "*.xz",
  "*.zip",
  "*.zst",
  "*tfevents*",
]
  .map((p) => `${p} filter=lfs diff=lfs merge=lfs -text`)
  .join("\n")}\n`;

/** Which paths a .gitattributes routes to LFS (`filter=lfs`). */
export class LfsPatterns {
  private readonly matcher = ignore();

  constructor(gitattributes: string) {
    for (const line of gitattributes.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (!trimmed || trimmed.startsWith("#")) continue;
      const [pattern, ...attrs] = trimmed.split(/\s+/);
      if (pattern && attrs.includes("filter=lfs")) this.matcher.add(pattern.replace(/\[\[:space:\]\]/g, " "));
    }
  }

  matches(path: string): boolean {
    try {
      return this.matcher.ignores(path);
    } catch {
      return false;
    }
  }
}

/** The line to append so that `path` is tracked by LFS. */
export function lfsLineFor(path: string): string {
  return `${path.replace(/ /g, "[[:space:]]")} filter=lfs diff=lfs merge=lfs -text`;
}
