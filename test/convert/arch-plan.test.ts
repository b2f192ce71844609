import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { architectureOf } from "../../src/convert/arch/architectures.js";
import type { JsonObject } from "../../src/convert/arch/hparams.js";
import { ggufTensorName, hfTensorName, isMultimodalTensor } from "../../src/convert/arch/tensor-names.js";
import type { Checkpoint, SourceTensor } from "../../src/convert/checkpoint/read-checkpoint.js";
import type { CheckpointSource } from "../../src/convert/checkpoint/source.js";
import { planGguf } from "../../src/convert/gguf-plan.js";

/**
 * The family rules that need no reference run: name mapping both ways, and the errors a checkpoint
 * the converter cannot handle gets, from plans of in-memory checkpoints (headers only).
 */
function checkpoint(config: JsonObject, files: Record<string, unknown>, tensors: SourceTensor[]): Checkpoint {
  const source: CheckpointSource = {
    name: "tiny",
    list: async () => Object.keys(files),
    readText: async (path) => (path in files ? JSON.stringify(files[path]) : undefined),
    readRange: async () => new Uint8Array(0),
    size: async () => 0,
  };
  return { source, config, tensors, files: Object.keys(files) };
}

const tensor = (name: string, shape: number[]): SourceTensor => ({
  name,
  dtype: "BF16",
  shape,
  file: "model.safetensors",
  offset: 0,
  byteLength: shape.reduce((a, b) => a * b, 2),
});

const PHI3: JsonObject = {
  architectures: ["Phi3ForCausalLM"],
  hidden_size: 256,
  intermediate_size: 512,
  num_hidden_layers: 1,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  max_position_embeddings: 16384,
  original_max_position_embeddings: 4096,
  partial_rotary_factor: 0.75,
  vocab_size: 1024,
};
const PHI3_TENSORS = [tensor("model.layers.0.self_attn.qkv_proj.weight", [512, 256])];

describe("gemma and phi3 rules", () => {
  test("HF names map to each family's GGUF names, and back", () => {
    const gemma2 = architectureOf({ architectures: ["Gemma2ForCausalLM"] }).arch;
    const llama = architectureOf({ architectures: ["LlamaForCausalLM"] }).arch;
    const phi3 = architectureOf({ architectures: ["Phi3ForCausalLM"] }).arch;
    const post = "model.layers.3.post_attention_layernorm.weight";
    assert.equal(ggufTensorName(post, gemma2.tensors), "blk.3.post_attention_norm.weight");
    assert.equal(ggufTensorName(post, llama.tensors), "blk.3.ffn_norm.weight");
    assert.equal(
      ggufTensorName("model.layers.3.pre_feedforward_layernorm.weight", gemma2.tensors),
      "blk.3.ffn_norm.weight",
    );
    assert.equal(
      ggufTensorName("model.layers.0.mlp.gate_up_proj.weight", phi3.tensors),
      "blk.0.ffn_up.weight",
    );
    assert.equal(
      hfTensorName("blk.3.ffn_norm.weight", "gemma2"),
      "model.layers.3.pre_feedforward_layernorm.weight",
    );
    assert.equal(hfTensorName("blk.3.ffn_norm.weight", "llama"), post);
    assert.equal(hfTensorName("blk.3.post_attention_norm.weight", "gemma3"), post);
    assert.equal(hfTensorName("blk.0.ffn_up.weight", "phi3"), "model.layers.0.mlp.gate_up_proj.weight");
    assert.equal(hfTensorName("blk.0.attn_qkv.weight", "phi3"), "model.layers.0.self_attn.qkv_proj.weight");
    assert.ok(isMultimodalTensor("vision_tower.vision_model.embeddings.patch_embedding.weight"));
    assert.ok(isMultimodalTensor("multi_modal_projector.mm_soft_emb_norm.weight"));
    assert.ok(!isMultimodalTensor("language_model.model.layers.0.mlp.up_proj.weight"));
  });

  test("phi3: partial rotary dims, sliding window 0, and no LongRoPE keys without factors", async () => {
    const plan = await planGguf(checkpoint(PHI3, {}, PHI3_TENSORS), { type: "f32", vocab: false });
    const keys = new Map(plan.metadata);
    assert.deepEqual(keys.get("phi3.rope.dimension_count"), { type: "uint32", value: 48 });
    assert.deepEqual(keys.get("phi3.attention.sliding_window"), { type: "uint32", value: 0 });
    assert.equal(keys.has("phi3.rope.scaling.attn_factor"), false);
    assert.equal(plan.tensors[0]?.name, "blk.0.attn_qkv.weight");
  });

  test("phi3: rope factors of the wrong length, and a SentencePiece tokenizer it cannot read, are clear errors", async () => {
    const longrope = {
      ...PHI3,
      rope_scaling: { type: "longrope", long_factor: [1, 2], short_factor: [1, 1] },
    };
    await assert.rejects(
      planGguf(checkpoint(longrope, {}, PHI3_TENSORS), { type: "f32", vocab: false }),
      /rope factors must have 24 values \(long 2, short 2\)/,
    );
    // Not GPT2Tokenizer: phi3's SentencePiece reader, which needs tokenizer.model.
    const llama = { "tokenizer_config.json": { tokenizer_class: "LlamaTokenizer" } };
    await assert.rejects(
      planGguf(checkpoint(PHI3, llama, PHI3_TENSORS), { type: "f32" }),
      /has no tokenizer\.model, which phi3 reads its vocabulary from unless .*GPT2Tokenizer/,
    );
    // Upstream reads tokenizer_class unguarded (a KeyError), and vocab_size as it is (null fails).
    await assert.rejects(
      planGguf(checkpoint(PHI3, { "tokenizer_config.json": {} }, PHI3_TENSORS), { type: "f32" }),
      /tokenizer_config\.json has no tokenizer_class/,
    );
    const files = { ...llama, "tokenizer.model": "" };
    await assert.rejects(
      planGguf(checkpoint({ ...PHI3, vocab_size: null }, files, PHI3_TENSORS), { type: "f32" }),
      /config\.json has a vocab_size of null, not a whole number/,
    );
  });

  test("gemma3 with neither tokenizer.model nor tokenizer.json cannot cut its embedding", async () => {
    const config = { architectures: ["Gemma3ForCausalLM"], num_hidden_layers: 1 };
    await assert.rejects(
      planGguf(checkpoint(config, {}, [tensor("model.embed_tokens.weight", [1024, 256])]), { type: "f32" }),
      /neither tokenizer\.model nor a tokenizer\.json vocabulary/,
    );
  });

  test("an unsupported architecture names the supported ones, gemma and phi3 among them", () => {
    assert.throws(
      () => architectureOf({ architectures: ["FalconForCausalLM"] }),
      (err: { hint?: string }) =>
        /Gemma2ForCausalLM, Gemma3ForCausalLM, Gemma3ForConditionalGeneration, Phi3ForCausalLM/.test(
          err.hint ?? "",
        ),
    );
  });
});
