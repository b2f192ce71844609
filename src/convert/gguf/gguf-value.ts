/**
 * GGUF metadata values, typed as the file types them (gguf.h `enum gguf_type`). The converter says
 * each value's type itself, because the references choose it per key (u32 counts, f32 epsilons,
 * i32 token types) and a reader compares types as well as values.
 */
export const GGUF_VALUE_TYPES = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

export type GgufScalarType = Exclude<keyof typeof GGUF_VALUE_TYPES, "array">;

export type GgufValue =
  | { type: Exclude<GgufScalarType, "string" | "bool" | "uint64" | "int64">; value: number }
  | { type: "uint64" | "int64"; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | { type: "array"; itemType: "string"; values: readonly string[] }
  | {
      type: "array";
      itemType: Exclude<GgufScalarType, "string" | "bool" | "uint64" | "int64">;
      values: ArrayLike<number>;
    }
  | { type: "array"; itemType: "bool"; values: readonly boolean[] };

/** Metadata in the order it is written (the references keep insertion order). */
export type GgufMetadata = ReadonlyArray<readonly [key: string, value: GgufValue]>;

export const gguf = {
  u32: (value: number): GgufValue => ({ type: "uint32", value }),
  i32: (value: number): GgufValue => ({ type: "int32", value }),
  f32: (value: number): GgufValue => ({ type: "float32", value }),
  bool: (value: boolean): GgufValue => ({ type: "bool", value }),
  str: (value: string): GgufValue => ({ type: "string", value }),
  strings: (values: readonly string[]): GgufValue => ({ type: "array", itemType: "string", values }),
  f32s: (values: ArrayLike<number>): GgufValue => ({ type: "array", itemType: "float32", values }),
  i32s: (values: ArrayLike<number>): GgufValue => ({ type: "array", itemType: "int32", values }),
};
