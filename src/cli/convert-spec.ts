import { OUTPUT_TYPES, type OutputType } from "../convert/type-policy.js";
import { HubferryError } from "../core/errors.js";
import type { ConvertSpec } from "../migrate/converted-source.js";

/** `--convert gguf:q4_k_m` (or `gguf`, for the default q4_k_m) as the migration's conversion. */
export function parseConvertSpec(value: string | undefined): ConvertSpec | undefined {
  if (value === undefined) return undefined;
  const m = /^gguf(?::([a-z0-9_]+))?$/i.exec(value.trim());
  const type = (m?.[1] ?? "q4_k_m").toLowerCase();
  if (!m || !(OUTPUT_TYPES as readonly string[]).includes(type))
    throw new HubferryError(
      "BAD_INPUT",
      `--convert must be gguf:TYPE, not "${value}"`,
      `TYPE is one of ${OUTPUT_TYPES.join(", ")} (e.g. --convert gguf:q4_k_m)`,
    );
  return { type: type as OutputType };
}
