import assert from "node:assert/strict";
import { describe, test } from "node:test";
import protobuf from "protobufjs/light.js";
import type { Json } from "../../src/convert/arch/hparams.js";
import type { CheckpointSource } from "../../src/convert/checkpoint/source.js";
import { llamaHfVocab } from "../../src/convert/tokenizer/llama-hf-vocab.js";
import { type Phi3VocabInput, phi3SentencePieceVocab } from "../../src/convert/tokenizer/phi3-vocab.js";
import {
  MAX_TOKENIZER_MODEL_BYTES,
  parseSentencePieceModel,
} from "../../src/convert/tokenizer/sentencepiece-model.js";
import { sentencePieceVocab } from "../../src/convert/tokenizer/sentencepiece-vocab.js";
import {
  readAddedTokens,
  readTokenizerModel,
  type TokenizerFiles,
} from "../../src/convert/tokenizer/tokenizer-files.js";
import { HubferryError } from "../../src/core/errors.js";

/**
 * The SentencePiece and Llama HF vocabulary readers on hand-made input: bad files give a clear
 * HubferryError (never a crash or a wrong vocabulary), and the layout rules hold at their edges.
 * (The reference comparison is sentencepiece-reference.test.ts.)
 */
interface Piece {
  piece: string | Uint8Array;
  score?: number;
  type?: number;
}

/** A ModelProto's bytes: pieces (field 1), a trainer spec (2) and a normalizer spec (3). */
function modelBytes(pieces: Piece[], normalizer: { dummy?: boolean } | null = {}): Uint8Array {
  const w = protobuf.Writer.create();
  for (const p of pieces) {
    w.uint32((1 << 3) | 2).fork();
    if (typeof p.piece === "string") w.uint32((1 << 3) | 2).string(p.piece);
    else w.uint32((1 << 3) | 2).bytes(p.piece);
    if (p.score !== undefined) w.uint32((2 << 3) | 5).float(p.score);
    if (p.type !== undefined) w.uint32(3 << 3).int32(p.type);
    w.ldelim();
  }
  // trainer_spec { model_type: BPE, vocab_size: n } (read by no one here, skipped).
  w.uint32((2 << 3) | 2)
    .fork()
    .uint32(3 << 3)
    .int32(2)
    .uint32(4 << 3)
    .int32(pieces.length)
    .ldelim();
  if (normalizer) {
    w.uint32((3 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 2)
      .string("identity");
    if (normalizer.dummy !== undefined) w.uint32(3 << 3).bool(normalizer.dummy);
    w.ldelim();
  }
  return w.finish();
}

const BASIC: Piece[] = [
  { piece: "<unk>", type: 2 },
  { piece: "<s>", type: 3 },
  { piece: "</s>", type: 3 },
  { piece: "<0x41>", type: 6 },
  { piece: "<sep>", type: 4 },
  { piece: "▁a", score: -1.5 },
  { piece: "b", score: -2.25, type: 1 },
  { piece: "old", score: -3, type: 5 },
];

const badInput = (pattern: RegExp) => (err: unknown) =>
  err instanceof HubferryError && err.code === "BAD_INPUT" && pattern.test(err.message);

describe("parseSentencePieceModel", () => {
  test("pieces with their scores and types (absent: 0 and normal), the normalizer's defaults", () => {
    const model = parseSentencePieceModel(modelBytes(BASIC));
    assert.deepEqual(
      model.pieces.map((p) => [p.piece, p.score, p.type]),
      [
        ["<unk>", 0, 2],
        ["<s>", 0, 3],
        ["</s>", 0, 3],
        ["<0x41>", 0, 6],
        ["<sep>", 0, 4],
        ["▁a", -1.5, 1],
        ["b", -2.25, 1],
        ["old", -3, 5],
      ],
    );
    assert.equal(model.addDummyPrefix, true);
    assert.equal(model.removeExtraWhitespaces, true);
    assert.equal(parseSentencePieceModel(modelBytes(BASIC, { dummy: false })).addDummyPrefix, false);
  });

  test("a model cut short anywhere is refused with a clear error, never a crash or fewer pieces", () => {
    const bytes = modelBytes(BASIC);
    for (let cut = 0; cut < bytes.length; cut++)
      assert.throws(
        () => parseSentencePieceModel(bytes.subarray(0, cut)),
        badInput(/tokenizer\.model is not a SentencePiece model/),
        `cut at ${cut} of ${bytes.length}`,
      );
  });

  test("garbage, a Git LFS pointer and an empty file are refused", () => {
    const lfs = new TextEncoder().encode(
      "version https://git-lfs.github.com/spec/v1\noid sha256:0000\nsize 499723\n",
    );
    for (const bytes of [lfs, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]), new Uint8Array()])
      assert.throws(() => parseSentencePieceModel(bytes), badInput(/not a SentencePiece model/));
  });

  test("pieces that are empty, repeated, not UTF-8 or of no known type, and a model without exactly one unknown piece", () => {
    const cases: Array<[Piece[], RegExp]> = [
      [[...BASIC, { piece: "" }], /piece 8 is empty/],
      [[...BASIC, { piece: "b" }], /"b" is defined twice/],
      [[...BASIC, { piece: new Uint8Array([0x61, 0xff]) }], /piece 8 is not UTF-8/],
      [[...BASIC, { piece: "c", type: 9 }], /pieces\.8\.type/],
      [BASIC.slice(1), /0 unknown pieces/],
      [[...BASIC, { piece: "<unk2>", type: 2 }], /2 unknown pieces/],
      [[], /no pieces/],
    ];
    for (const [pieces, pattern] of cases)
      assert.throws(() => parseSentencePieceModel(modelBytes(pieces)), badInput(pattern), String(pattern));
  });

  test("a file over the size limit is refused before it is decoded", () => {
    assert.throws(
      () => parseSentencePieceModel(new Uint8Array(MAX_TOKENIZER_MODEL_BYTES + 1)),
      badInput(/over the 67108864-byte limit/),
    );
  });
});

describe("sentencePieceVocab", () => {
  const model = parseSentencePieceModel(modelBytes(BASIC));

  test("padded to vocab_size with [PAD<i>] (unused, -10000); the model's user-defined piece stays normal", () => {
    const v = sentencePieceVocab(model, 10, undefined, undefined);
    assert.deepEqual(v.tokens.slice(4), ["<sep>", "▁a", "b", "old", "[PAD8]", "[PAD9]"]);
    assert.deepEqual(v.types, [2, 3, 3, 6, 1, 1, 1, 5, 5, 5]);
    assert.deepEqual(v.scores.slice(5), [-1.5, -2.25, -3, -10000, -10000]);
  });

  test("a vocab_size below the model's drops the pieces past it, and added tokens past it", () => {
    const v = sentencePieceVocab(
      model,
      6,
      { extra: 6, mine: 5 },
      { added_tokens_decoder: { 7: { content: "x" } } },
    );
    assert.equal(v.tokens.length, 6);
    assert.deepEqual([v.tokens[5], v.types[5], v.scores[5]], ["mine", 4, -1000]);
  });

  test("no vocab_size (or 0): the model's size", () => {
    assert.equal(sentencePieceVocab(model, undefined, undefined, undefined).tokens.length, 8);
    assert.equal(sentencePieceVocab(model, 0, undefined, undefined).tokens.length, 8);
  });

  test("added_tokens_decoder: special or control-shaped tokens are control; others user-defined with ▁ as spaces", () => {
    const v = sentencePieceVocab(model, 12, undefined, {
      added_tokens_decoder: {
        8: { content: "<|im_start|>", special: false },
        9: { content: "<tool>", special: true },
        10: { content: "hello▁world", special: false },
        11: { content: "<x>" },
      },
    });
    assert.deepEqual(v.tokens.slice(8), ["<|im_start|>", "<tool>", "hello world", "<x>"]);
    assert.deepEqual(v.types.slice(8), [3, 3, 4, 4]);
    assert.deepEqual(v.scores.slice(8), [-1000, -1000, -1000, -1000]);
  });

  test("an added_tokens_decoder that is not ids to tokens is refused", () => {
    for (const decoder of [{ "-1": { content: "x" } }, { 3: { special: true } }, ["x"]] as Json[])
      assert.throws(
        () => sentencePieceVocab(model, 10, undefined, { added_tokens_decoder: decoder }),
        badInput(/added_tokens_decoder is not a map of ids to tokens/),
      );
  });
});

describe("phi3SentencePieceVocab", () => {
  const model = parseSentencePieceModel(modelBytes(BASIC));
  const vocab = (input: Partial<Phi3VocabInput>) =>
    phi3SentencePieceVocab({
      model,
      vocabSize: 12,
      addedTokens: undefined,
      tokenizerConfig: undefined,
      tokenizerJsonAdded: [],
      ...input,
    });

  test("padded to vocab_size as the generic reader pads; the model's user-defined piece stays normal", () => {
    const v = vocab({ vocabSize: 10 });
    assert.deepEqual(v.tokens.slice(4), ["<sep>", "▁a", "b", "old", "[PAD8]", "[PAD9]"]);
    assert.deepEqual(v.types, [2, 3, 3, 6, 1, 1, 1, 5, 5, 5]);
    assert.deepEqual(v.scores.slice(5), [-1.5, -2.25, -3, -10000, -10000]);
  });

  test("added tokens keep their ▁, control only when special, each file over the one before", () => {
    const v = vocab({
      addedTokens: { "a▁b": 8, "<|json|>": 9, "<|both|>": 10, "<|all|>": 11, "<|far|>": 12 },
      tokenizerConfig: {
        added_tokens_decoder: {
          0: { content: "<unk>", special: true },
          10: { content: "<|decoder|>", special: false },
          11: { content: "c▁d", special: 1 },
        },
      },
      tokenizerJsonAdded: [
        { id: 11, content: "<|tokenizer|>", special: false },
        { id: 4, content: "<sep>", special: true },
      ],
    });
    assert.deepEqual(v.tokens.slice(8), ["a▁b", "<|json|>", "<|decoder|>", "<|tokenizer|>"]);
    assert.deepEqual(v.types.slice(8), [4, 4, 4, 4]);
    assert.deepEqual(v.scores.slice(8), [-1000, -1000, -1000, -1000]);
    // <unk> made control by the decoder, <sep> by tokenizer.json: -1000 over their model scores.
    assert.deepEqual([v.types[0], v.types[4], v.scores[0], v.scores[4]], [3, 3, -1000, -1000]);
  });

  test("added_tokens.json past vocab_size is skipped; added_tokens_decoder or tokenizer.json past it is refused", () => {
    assert.equal(vocab({ addedTokens: { "<|far|>": 12 } }).tokens.includes("<|far|>"), false);
    assert.throws(
      () => vocab({ tokenizerConfig: { added_tokens_decoder: { 12: { content: "x", special: true } } } }),
      badInput(/added_tokens_decoder has token id 12, past phi3's vocab_size of 12/),
    );
    assert.throws(
      () => vocab({ tokenizerJsonAdded: [{ id: 20, content: "x", special: false }] }),
      badInput(/tokenizer\.json's added_tokens has token id 20, past phi3's vocab_size of 12/),
    );
  });

  test("a vocab_size below the model's pieces (0 included) is refused, not cut", () => {
    for (const vocabSize of [7, 0])
      assert.throws(
        () => vocab({ vocabSize }),
        badInput(new RegExp(`tokenizer\\.model has 8 pieces, more than phi3's vocab_size of ${vocabSize}`)),
      );
    assert.equal(vocab({ vocabSize: 8 }).tokens.length, 8);
  });

  test("an added_tokens_decoder that is null or not ids to tokens is refused", () => {
    for (const decoder of [null, { "-1": { content: "x" } }, ["x"]] as Json[])
      assert.throws(
        () => vocab({ tokenizerConfig: { added_tokens_decoder: decoder } }),
        badInput(/added_tokens_decoder is not a map of ids to tokens/),
      );
  });
});

describe("llamaHfVocab", () => {
  const files = (config: TokenizerFiles["config"], vocab: Record<string, number>): TokenizerFiles => {
    const json = {
      added_tokens: [
        { id: 0, content: "<unk>", special: true },
        { id: 1, content: "<s>", special: true },
        { id: 2, content: "</s>", special: true },
        { id: 5, content: "<|im_end|>", special: true },
        { id: 4, content: "hi", special: false },
      ],
      model: { type: "BPE", vocab, byte_fallback: true },
    };
    return { json, rawJson: json, config } as TokenizerFiles;
  };
  const VOCAB = { "<unk>": 0, "<s>": 1, "</s>": 2, "<0x0A>": 3 };

  test("base tokens (byte, control for special tokens, normal), then added tokens past the base by id", () => {
    const v = llamaHfVocab(files({ additional_special_tokens: ["<|im_end|>"] }, VOCAB), undefined);
    assert.deepEqual(v.tokens, ["<unk>", "<s>", "</s>", "<0x0A>", "hi", "<|im_end|>"]);
    assert.deepEqual(v.types, [3, 3, 3, 6, 4, 3]);
    assert.ok(v.scores.every((s) => s === -1000));
  });

  test("special_tokens_map.json wins over tokenizer_config.json; PreTrainedTokenizerFast has no default tokens", () => {
    const v = llamaHfVocab(files({ tokenizer_class: "PreTrainedTokenizerFast", bos_token: "<s>" }, VOCAB), {
      bos_token: { content: "</s>" },
    });
    assert.deepEqual(v.types, [1, 1, 3, 6, 4, 4]);
  });

  test("extra_special_tokens are special tokens too", () => {
    const v = llamaHfVocab(files({ extra_special_tokens: { image_token: "<|im_end|>" } }, VOCAB), undefined);
    assert.deepEqual(v.types.slice(4), [4, 3]);
  });

  test("an unknown tokenizer class, a special token not in the vocabulary and a hole in the ids are refused", () => {
    assert.throws(
      () => llamaHfVocab(files({ tokenizer_class: "GemmaTokenizer" }, VOCAB), undefined),
      badInput(/tokenizer_class "GemmaTokenizer"/),
    );
    assert.throws(
      () => llamaHfVocab(files({ pad_token: "<pad>" }, VOCAB), undefined),
      badInput(/special token "<pad>" is not in tokenizer.json/),
    );
    assert.throws(
      () => llamaHfVocab(files({}, { "<unk>": 0, "<s>": 1, "</s>": 2, x: 7 }), undefined),
      badInput(/no token with id 3/),
    );
  });
});

describe("reading tokenizer.model and added_tokens.json from a source", () => {
  const source = (files: Record<string, string>, size = 0): CheckpointSource => ({
    name: "fake",
    list: async () => Object.keys(files),
    readText: async (path) => files[path],
    readRange: async () => {
      throw new Error("nothing past the size check may be read");
    },
    size: async () => size,
  });

  test("a tokenizer.model over the limit is refused from its size, before any byte is read", async () => {
    await assert.rejects(
      readTokenizerModel(source({}, MAX_TOKENIZER_MODEL_BYTES + 1)),
      badInput(/tokenizer\.model in fake is 67108865 bytes, over the 67108864-byte limit/),
    );
  });

  test("an added_tokens.json that does not map tokens to ids is refused", async () => {
    for (const text of ['{"<x>": "3"}', '{"<x>": -1}', '{"<x>": 1.5}'])
      await assert.rejects(
        readAddedTokens(source({ "added_tokens.json": text })),
        badInput(/added_tokens\.json in fake does not map tokens to ids/),
      );
    assert.equal(await readAddedTokens(source({})), undefined);
    assert.deepEqual(await readAddedTokens(source({ "added_tokens.json": '{"<x>": 3}' })), { "<x>": 3 });
  });
});
