import { HubferryError } from "../../core/errors.js";
import { SafetensorsTensorSchema } from "../../formats/safetensors-header.js";
import type { JsonObject } from "../arch/hparams.js";
import type { CheckpointSource } from "./source.js";

/** A tensor of a safetensors part: where its bytes are, and what they hold. */
export interface SourceTensor {
  name: string;
  dtype: SourceDtype;
  /** torch order: the last dimension is the row length. */
  shape: number[];
  file: string;
  /** Absolute offset of the data in the file, and its length. */
  offset: number;
  byteLength: number;
}

export type SourceDtype = "F32" | "F16" | "BF16";
const DTYPE_BYTES: Record<SourceDtype, number> = { F32: 4, F16: 2, BF16: 2 };

export interface Checkpoint {
  source: CheckpointSource;
  config: JsonObject;
  /** In upstream's order: parts sorted by name, each part's tensors sorted by name. */
  tensors: SourceTensor[];
  files: string[];
}

const MAX_HEADER = 100 * 1024 * 1024;

async function readJson(source: CheckpointSource, path: string): Promise<JsonObject | undefined> {
  const text = await source.readText(path);
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value as JsonObject;
  } catch {
    // fall through to the error below
  }
  throw new HubferryError(
    "BAD_INPUT",
    `${path} in ${source.name} is not a JSON object`,
    "fix or re-download that file",
  );
}

/** The part files upstream reads: the index's files, else every model*.safetensors, sorted. */
async function partNames(source: CheckpointSource, files: string[]): Promise<string[]> {
  const index = await readJson(source, "model.safetensors.index.json");
  if (index) {
    const map = index.weight_map;
    if (!map || typeof map !== "object" || Array.isArray(map))
      throw new HubferryError(
        "BAD_INPUT",
        "model.safetensors.index.json has no weight_map",
        "re-download the checkpoint's index",
      );
    return [...new Set(Object.values(map).map(String))].sort();
  }
  const parts = files
    .filter((f) => !f.includes("/") && f.startsWith("model") && f.endsWith(".safetensors"))
    .sort();
  if (parts.length === 0) {
    const pickled = files.some((f) => f.endsWith(".bin") || f.endsWith(".pt") || f.endsWith(".pth"));
    throw new HubferryError(
      "BAD_INPUT",
      `${source.name} has no model*.safetensors files${pickled ? " (only pickle-based weights, which hubferry does not load)" : ""}`,
      "convert a checkpoint saved as safetensors (transformers: save_pretrained(..., safe_serialization=True))",
    );
  }
  return parts;
}

async function partTensors(source: CheckpointSource, file: string): Promise<SourceTensor[]> {
  const size = await source.size(file);
  if (size < 8)
    throw new HubferryError("BAD_INPUT", `${file} is too short to be safetensors`, "re-download it");
  const lengthBytes = await source.readRange(file, 0, 8);
  const headerLength = Number(
    new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true),
  );
  if (headerLength < 2 || headerLength > Math.min(MAX_HEADER, size - 8))
    throw new HubferryError(
      "BAD_INPUT",
      `${file} is not safetensors: its header length is out of range`,
      "re-download it",
    );
  const header: unknown = JSON.parse(new TextDecoder().decode(await source.readRange(file, 8, headerLength)));
  const dataStart = 8 + headerLength;
  const out: SourceTensor[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") continue;
    const entry = SafetensorsTensorSchema.safeParse(raw);
    if (!entry.success)
      throw new HubferryError("BAD_INPUT", `${file}: tensor ${name} is malformed`, "re-download it");
    const {
      dtype,
      shape,
      data_offsets: [start, end],
    } = entry.data;
    if (!(dtype in DTYPE_BYTES))
      throw new HubferryError(
        "BAD_INPUT",
        `${file}: tensor ${name} is ${dtype}`,
        "the converter reads F32, F16 and BF16 weights",
      );
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - start !== count * DTYPE_BYTES[dtype as SourceDtype] || dataStart + end > size)
      throw new HubferryError(
        "BAD_INPUT",
        `${file}: tensor ${name}'s bytes do not match its shape`,
        "re-download it",
      );
    out.push({
      name,
      dtype: dtype as SourceDtype,
      shape,
      file,
      offset: dataStart + start,
      byteLength: end - start,
    });
  }
  // gguf-py's SafetensorsLocal sorts a part's tensors by name; the output's order follows it.
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function readCheckpoint(source: CheckpointSource): Promise<Checkpoint> {
  const files = await source.list();
  const config = await readJson(source, "config.json");
  if (!config)
    throw new HubferryError(
      "BAD_INPUT",
      `${source.name} has no config.json`,
      "give a Hugging Face checkpoint folder or repo (config.json beside the safetensors files)",
    );
  const tensors: SourceTensor[] = [];
  for (const part of await partNames(source, files)) tensors.push(...(await partTensors(source, part)));
  return { source, config, tensors, files };
}

export { readJson };
