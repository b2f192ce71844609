import type { GgufMetadata, GgufValue } from "./gguf-value.js";

/**
 * GGUF metadata gathered in order, with the semantics of gguf-py's writer that the key order and
 * content depend on: setting a key again replaces its value where it first stood, an empty string
 * or empty array is not written at all, and a key can be removed.
 */
export class MetadataBuilder {
  private readonly entries = new Map<string, GgufValue>();

  set(key: string, value: GgufValue): this {
    if (value.type === "string" && value.value === "") return this;
    if (value.type === "array" && value.values.length === 0) return this;
    this.entries.set(key, value);
    return this;
  }

  setAll(entries: Iterable<readonly [string, GgufValue]>): this {
    for (const [key, value] of entries) this.set(key, value);
    return this;
  }

  remove(key: string): this {
    this.entries.delete(key);
    return this;
  }

  get(key: string): GgufValue | undefined {
    return this.entries.get(key);
  }

  build(): GgufMetadata {
    return [...this.entries];
  }
}
