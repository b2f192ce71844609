import { OUTPUT_TYPES, type OutputType } from "../convert/type-policy.js";
import { HubferryError } from "../core/errors.js";
import type { ConvertSpec } from "../migrate/converted-source.js";

const DTYPES = ["f32", "f16", "bf16"];

/**
 * `--convert gguf:q4_k_m` (`gguf` alone: q4_k_m) or `--convert safetensors:bf16` (alone: f32) as
 * the migration's conversion.
 */
export function parseConvertSpec(value: string | undefined): ConvertSpec | undefined {
  if (value === undefined) return undefined;
  const m = /^(gguf|safetensors)(?::([a-z0-9_]+))?$/i.exec(value.trim());
  const to = m?.[1]?.toLowerCase();
  if (to === "gguf") {
    const type = (m?.[2] ?? "q4_k_m").toLowerCase();
    if ((OUTPUT_TYPES as readonly string[]).includes(type)) return { to, type: type as OutputType };
  }
  if (to === "safetensors") {
    const dtype = (m?.[2] ?? "f32").toLowerCase();
    if (DTYPES.includes(dtype)) return { to, dtype: dtype.toUpperCase() as "F32" | "F16" | "BF16" };
  }
  throw new HubferryError(
    "BAD_INPUT",
    `--convert must be gguf:TYPE or safetensors:DTYPE, not "${value}"`,
    `TYPE is one of ${OUTPUT_TYPES.join(", ")} (e.g. --convert gguf:q4_k_m); DTYPE is f32, f16 or bf16`,
  );
}
