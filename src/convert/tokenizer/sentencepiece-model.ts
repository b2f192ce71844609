import protobuf from "protobufjs/light.js";
import { z } from "zod";
import { HubferryError } from "../../core/errors.js";

/**
 * The parts of a SentencePiece `tokenizer.model` (a serialized `sentencepiece.ModelProto`) the
 * converter reads: each piece's text, score and type, and the normalizer's whitespace flags.
 * The schema is declared by reflection, with only the fields read (protobuf skips the others:
 * the trainer spec, self-test data, the denormalizer); field numbers are those of
 * sentencepiece_model.proto.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    ModelProto: {
      fields: {
        pieces: { rule: "repeated", type: "SentencePiece", id: 1 },
        normalizer_spec: { type: "NormalizerSpec", id: 3 },
      },
    },
    SentencePiece: {
      // `piece` as bytes, so that text that is not UTF-8 is refused rather than mangled.
      fields: {
        piece: { type: "bytes", id: 1 },
        score: { type: "float", id: 2 },
        type: { type: "int32", id: 3 },
      },
    },
    NormalizerSpec: {
      fields: {
        name: { type: "string", id: 1 },
        add_dummy_prefix: { type: "bool", id: 3 },
        remove_extra_whitespaces: { type: "bool", id: 4 },
      },
    },
  },
});
const ModelProto = root.lookupType("ModelProto");

/** sentencepiece's piece types; the numbers are gguf's token types too. */
export const PIECE_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/** Bigger than any real tokenizer.model (Gemma 3's, 262k pieces, is 4.5 MiB) by far. */
export const MAX_TOKENIZER_MODEL_BYTES = 64 * 1024 * 1024;

const Decoded = z.object({
  pieces: z
    .array(
      z.object({
        piece: z.instanceof(Uint8Array).optional(),
        score: z.number().optional(),
        type: z.number().int().min(1).max(6).optional(),
      }),
    )
    .default([]),
  normalizer_spec: z
    .object({
      name: z.string().optional(),
      add_dummy_prefix: z.boolean().optional(),
      remove_extra_whitespaces: z.boolean().optional(),
    })
    .optional(),
});

export interface SentencePiece {
  piece: string;
  score: number;
  type: number;
}

export interface SentencePieceModel {
  pieces: SentencePiece[];
  /** proto2 defaults (true) when the spec leaves them out, as sentencepiece reads them. */
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
}

const bad = (detail: string) =>
  new HubferryError(
    "BAD_INPUT",
    `tokenizer.model is not a SentencePiece model the converter can read: ${detail}`,
    "re-download tokenizer.model (it may be truncated, or a Git LFS pointer rather than the file)",
  );

/**
 * Parses and checks the model as sentencepiece's loader does where a bad file would otherwise
 * give a wrong vocabulary: pieces present, non-empty and distinct, and exactly one unknown piece;
 * and a normalizer spec, which every trainer writes, as a check against truncation.
 */
export function parseSentencePieceModel(bytes: Uint8Array): SentencePieceModel {
  if (bytes.length > MAX_TOKENIZER_MODEL_BYTES)
    throw new HubferryError(
      "BAD_INPUT",
      `tokenizer.model is ${bytes.length} bytes, over the ${MAX_TOKENIZER_MODEL_BYTES}-byte limit for a SentencePiece model`,
      "check that tokenizer.model is a SentencePiece model",
    );
  let raw: unknown;
  try {
    raw = ModelProto.toObject(ModelProto.decode(bytes), { defaults: false });
  } catch (err) {
    throw bad(`it does not decode as protobuf (${(err as Error).message})`);
  }
  const parsed = Decoded.safeParse(raw);
  if (!parsed.success)
    throw bad(`${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const seen = new Set<string>();
  let unknowns = 0;
  const pieces = parsed.data.pieces.map((p, id): SentencePiece => {
    let piece: string;
    try {
      piece = utf8.decode(p.piece ?? new Uint8Array());
    } catch {
      throw bad(`piece ${id} is not UTF-8`);
    }
    if (piece === "") throw bad(`piece ${id} is empty`);
    if (seen.has(piece)) throw bad(`piece ${JSON.stringify(piece)} is defined twice`);
    seen.add(piece);
    const type = p.type ?? PIECE_TYPE.NORMAL;
    if (type === PIECE_TYPE.UNKNOWN) unknowns++;
    return { piece, score: p.score ?? 0, type };
  });
  if (!pieces.length) throw bad("it has no pieces");
  if (unknowns !== 1) throw bad(`it has ${unknowns} unknown pieces, not one`);
  // sentencepiece writes the normalizer spec after the pieces: a file cut between two pieces
  // still decodes, and only its missing spec gives it away.
  const spec = parsed.data.normalizer_spec;
  if (!spec) throw bad("it has no normalizer spec (is it truncated?)");
  return {
    pieces,
    addDummyPrefix: spec.add_dummy_prefix ?? true,
    removeExtraWhitespaces: spec.remove_extra_whitespaces ?? true,
  };
}
