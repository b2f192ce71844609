import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Parser } from "pickleparser";
import YAML from "yaml";
import { classifyFileSafety, isWeightFile } from "../../src/formats/file-safety.js";
import { parseGgufHeader } from "../../src/formats/gguf-header.js";
import { PickleObject, PickleTuple, pickle } from "../../src/formats/pickle-writer.js";
import { matchesQuantization, quantizationOf } from "../../src/formats/quantization.js";
import { NeedMoreBytes, parsePrefix } from "../../src/formats/range-reader.js";
import { parseSafetensorsHeader } from "../../src/formats/safetensors-header.js";
import { contentRefusal, sniffFormat } from "../../src/formats/sniff.js";
import { splitOf } from "../../src/pull/select-files.js";
import { generateCard } from "../../src/push/model-card.js";
import { ggufFile, pickleFile, safetensorsFile } from "../helpers/weights.js";

describe("file formats", () => {
  it("classifies by name: safe, pickle, other", () => {
    for (const p of [
      "model.safetensors",
      "x.gguf",
      "config.json",
      "tokenizer.model",
      "merges.txt",
      "LICENSE",
      "a/b.parquet",
    ])
      assert.equal(classifyFileSafety(p), "safe", p);
    for (const p of [
      "pytorch_model.bin",
      "w.pt",
      "w.PTH",
      "x.pkl",
      "x.pickle",
      "m.ckpt",
      "training_args.bin",
    ])
      assert.equal(classifyFileSafety(p), "pickle", p);
    for (const p of ["modeling.py", "model.onnx", "tf_model.h5", "flax_model.msgpack"])
      assert.equal(classifyFileSafety(p), "other", p);
    assert.equal(isWeightFile("training_args.bin"), false);
    assert.equal(isWeightFile("pytorch_model-00001-of-00002.bin"), true);
  });

  it("sniffs pickles whatever the name, and weight files that are not what they claim", () => {
    assert.equal(sniffFormat(pickleFile()), "pickle");
    const zip = Buffer.alloc(64);
    zip.writeUInt32LE(0x04034b50, 0);
    zip.writeUInt16LE(16, 26);
    zip.write("archive/data.pkl", 30);
    assert.equal(sniffFormat(zip), "torch-zip");
    assert.equal(sniffFormat(safetensorsFile({ w: { dtype: "F32", shape: [2] } })), "safetensors");
    assert.equal(sniffFormat(ggufFile({ fileType: 15, tensorType: 12, tensors: [[2]] })), "gguf");
    assert.match(contentRefusal("config.json", pickleFile())!, /config.json is a pickle/);
    assert.match(
      contentRefusal("m.safetensors", Buffer.from("hello world, not tensors"))!,
      /safetensors header/,
    );
    assert.equal(contentRefusal("config.json", Buffer.from('{"a": 1}')), undefined);
  });

  it("parses safetensors and GGUF headers, fetching more bytes only when needed", async () => {
    const st = safetensorsFile({ a: { dtype: "BF16", shape: [3, 4] }, b: { dtype: "F32", shape: [5] } });
    const facts = parseSafetensorsHeader(st, st.length);
    assert.deepEqual([facts.tensors, facts.parameters, facts.dtypes], [2, 17, { BF16: 1, F32: 1 }]);
    assert.throws(() => parseSafetensorsHeader(st.subarray(0, 20), st.length), NeedMoreBytes);
    const g = ggufFile({ fileType: 17, tensorType: 13, tensors: [[4, 4], [4]], vocab: 5000 });
    const reads: number[] = [];
    const read = async (s: number, e: number) => {
      reads.push(e - s + 1);
      return g.subarray(s, e + 1);
    };
    const gf = await parsePrefix(read, g.length, parseGgufHeader, { first: 1024 });
    assert.equal(gf.quantization, "Q5_K_M");
    assert.deepEqual(gf.dtypes, { Q5_K: 2 });
    assert.equal(gf.parameters, 20);
    assert.ok(reads.length > 1 && reads.length < 10, `reads: ${reads}`);
    assert.throws(() => parseGgufHeader(Buffer.from("GGML....")), /no GGUF magic/);
  });

  it("reads quantisations and splits from paths", () => {
    assert.equal(quantizationOf("llama-2-7b.Q4_K_M.gguf"), "Q4_K_M");
    assert.equal(quantizationOf("model-q8_0.gguf"), "Q8_0");
    assert.equal(quantizationOf("model-IQ2_XXS.gguf"), "IQ2_XXS");
    assert.equal(quantizationOf("model-f16.gguf"), "F16");
    assert.equal(quantizationOf("model.gguf"), undefined);
    assert.ok(matchesQuantization("Q4_K_M/model-00001-of-00002.gguf", "q4_k_m"));
    assert.equal(splitOf("data/train-00000-of-00001.parquet"), "train");
    assert.equal(splitOf("validation/part.jsonl"), "validation");
    assert.equal(splitOf("README.md"), undefined);
    assert.equal(splitOf("contest/x.csv"), undefined);
  });

  it("writes pickles Python and pickleparser read back", () => {
    const jar = new PickleObject("http.cookiejar", "Cookie", {
      name: "m",
      value: "v",
      expires: 3_000_000_000,
      port: null,
    });
    const data = pickle([
      { Path: "a/b.json", Revision: "r1" },
      { t: new PickleTuple(["x", 1, true]), j: jar, f: 1.5 },
    ]);
    const back = new Parser().parse(data) as unknown[];
    assert.deepEqual(back[0], { Path: "a/b.json", Revision: "r1" });
    const second = back[1] as { t: unknown[]; j: Record<string, unknown>; f: number };
    assert.deepEqual(second.t, ["x", 1, true]);
    assert.equal(second.j.value, "v");
    assert.equal(Number(second.j.expires), 3_000_000_000);
    assert.equal(second.f, 1.5);
  });

  it("generates a card whose front matter is valid YAML with the given facts", () => {
    const card = generateCard({
      type: "model",
      id: "alice/tiny",
      license: "mit",
      tags: ["x"],
      baseModel: "acme/base",
      paths: ["config.json", "model.safetensors"],
    });
    const meta = YAML.parse(/^---\n([\s\S]*?)---\n/.exec(card)![1]!);
    assert.deepEqual(meta, {
      license: "mit",
      library_name: "transformers",
      base_model: "acme/base",
      tags: ["x", "safetensors"],
    });
    assert.match(card, /AutoModel.from_pretrained\("alice\/tiny"\)/);
    const space = YAML.parse(
      /^---\n([\s\S]*?)---\n/.exec(
        generateCard({ type: "space", id: "a/app", sdk: "gradio", paths: [] }),
      )![1]!,
    );
    assert.equal(space.sdk, "gradio");
  });
});
