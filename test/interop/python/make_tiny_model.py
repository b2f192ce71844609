"""Makes a tiny random Hugging Face checkpoint with transformers (CPU torch), for the converter tests.

argv[1] is a JSON job: {"arch": "llama" | "qwen2" | "qwen3" | "gemma" | "gemma2" | "gemma3" | "phi3",
"tokenizer": DIR (tokenizer.json and tokenizer_config.json of a real model) or "spm" (a tiny
SentencePiece tokenizer.model trained here, for gemma 1/2), "out": DIR, "headDim": N | null,
"tokenizerClass": NAME | null (rewrites tokenizer_config's tokenizer_class: phi3 reads a BPE
vocabulary only when it says GPT2Tokenizer), "truncateVocab": N | null (keeps the tokenizer's first
N tokens, the merges among them and its added tokens renumbered after them: a small vocabulary
for tests that need no reference converter, whose pre-tokenizer llama.cpp then does not know),
"extra": {...} (more config fields), "dropConfig": [keys] (taken out of config.json's text_config,
or the top level, after saving: hub configs leave out fields at their defaults), "hidden": N, "layers": N, "heads": N,
"kvHeads": N, "ff": N, "vocab": N | null (default: the tokenizer's size), "dtype": "bfloat16" |
"float16" | "float32", "tie": bool, "seed": N, "ropeScaling": {...} | null, "shardBytes": N | null}.
Dimensions should be multiples of 256, or K-quants fall back to other types.
"""
import json
import shutil
import sys
from pathlib import Path

import torch
import transformers


def config_for(job, vocab):
    common = dict(
        vocab_size=vocab,
        hidden_size=job["hidden"],
        intermediate_size=job["ff"],
        num_hidden_layers=job["layers"],
        num_attention_heads=job["heads"],
        num_key_value_heads=job["kvHeads"],
        max_position_embeddings=4096,
        rms_norm_eps=1e-5,
        tie_word_embeddings=job["tie"],
        torch_dtype=job["dtype"],
    )
    if job.get("ropeScaling"):
        common["rope_scaling"] = job["ropeScaling"]
    common.update(job.get("extra") or {})
    if job["arch"] in ("gemma", "gemma2", "gemma3"):
        return gemma_config(job, common)
    if job["arch"] == "gemma3mm":
        text, _ = gemma_config({**job, "arch": "gemma3"}, common)
        vision = transformers.SiglipVisionConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=1,
                                                 num_attention_heads=2, image_size=64, patch_size=16)
        config = transformers.Gemma3Config(text_config=text.to_dict(), vision_config=vision.to_dict(),
                                           mm_tokens_per_image=4, torch_dtype=job["dtype"])
        return config, transformers.Gemma3ForConditionalGeneration
    if job["arch"] == "phi3":
        return transformers.Phi3Config(**common), transformers.Phi3ForCausalLM
    if job["arch"] == "llama":
        return transformers.LlamaConfig(rope_theta=500000.0, **common), transformers.LlamaForCausalLM
    if job["arch"] == "qwen2":
        return transformers.Qwen2Config(rope_theta=1000000.0, **common), transformers.Qwen2ForCausalLM
    if job["arch"] == "qwen3":
        return transformers.Qwen3Config(rope_theta=1000000.0, head_dim=job["hidden"] // job["heads"], **common), transformers.Qwen3ForCausalLM
    raise ValueError(job["arch"])


def gemma_config(job, common):
    head_dim = job.get("headDim") or job["hidden"] // job["heads"]
    common = {**common, "head_dim": head_dim, "rms_norm_eps": 1e-6}
    if job["arch"] == "gemma":
        return transformers.GemmaConfig(**common), transformers.GemmaForCausalLM
    if job["arch"] == "gemma2":
        return transformers.Gemma2Config(sliding_window=512, query_pre_attn_scalar=head_dim, **common), transformers.Gemma2ForCausalLM
    return transformers.Gemma3TextConfig(sliding_window=512, query_pre_attn_scalar=head_dim, **common), transformers.Gemma3ForCausalLM


def train_spm(out):
    """A tiny SentencePiece model on made-up text: the gemma 1/2 reference needs a tokenizer.model."""
    import io
    import random

    import sentencepiece as spm

    rng = random.Random(0)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 8))) for _ in range(400)]
    lines = [" ".join(rng.choice(words) for _ in range(12)) for _ in range(2000)]
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=model, vocab_size=300,
                                   model_type="bpe", byte_fallback=False, bos_id=2, eos_id=1, unk_id=3, pad_id=0)
    (out / "tokenizer.model").write_bytes(model.getvalue())
    (out / "tokenizer_config.json").write_text(json.dumps({"add_bos_token": True, "add_eos_token": False}))


def renumber_ids(node, remap):
    if isinstance(node, dict):
        if isinstance(node.get("ids"), list):
            node["ids"] = [remap.get(i, i) for i in node["ids"]]
        for value in node.values():
            renumber_ids(value, remap)
    elif isinstance(node, list):
        for value in node:
            renumber_ids(value, remap)


def truncate_tokenizer(out, n):
    tok_file, config_file = out / "tokenizer.json", out / "tokenizer_config.json"
    tok = json.loads(tok_file.read_text(encoding="utf-8"))
    vocab = {t: i for t, i in tok["model"]["vocab"].items() if i < n}
    merges = []
    for merge in tok["model"].get("merges", []):
        a, b = merge.split(" ", 1) if isinstance(merge, str) else merge
        if a in vocab and b in vocab and a + b in vocab:
            merges.append(merge)
    remap = {}
    for k, added in enumerate(tok["added_tokens"]):
        remap[added["id"]] = n + k
        added["id"] = n + k
    tok["model"]["vocab"], tok["model"]["merges"] = vocab, merges
    renumber_ids(tok.get("post_processor"), remap)
    tok_file.write_text(json.dumps(tok, ensure_ascii=False), encoding="utf-8")
    config = json.loads(config_file.read_text(encoding="utf-8"))
    decoder = config.get("added_tokens_decoder", {})
    config["added_tokens_decoder"] = {str(remap.get(int(k), int(k))): v for k, v in decoder.items()}
    config_file.write_text(json.dumps(config, indent=2), encoding="utf-8")


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        job = json.load(f)
    torch.manual_seed(job.get("seed", 0))
    out = Path(job["out"])
    out.mkdir(parents=True, exist_ok=True)
    if job["tokenizer"] == "spm":
        train_spm(out)
        vocab = job["vocab"]
    else:
        for name in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy(Path(job["tokenizer"]) / name, out / name)
        if job.get("truncateVocab"):
            truncate_tokenizer(out, job["truncateVocab"])
        if job.get("tokenizerClass"):
            config_file = out / "tokenizer_config.json"
            tok_config = json.loads(config_file.read_text(encoding="utf-8"))
            tok_config["tokenizer_class"] = job["tokenizerClass"]
            config_file.write_text(json.dumps(tok_config, indent=2), encoding="utf-8")
        tokenizer = transformers.AutoTokenizer.from_pretrained(out)
        vocab = job.get("vocab") or len(tokenizer)
    config, cls = config_for(job, vocab)
    model = cls(config).to(getattr(torch, job["dtype"]))
    # Norm weights are ones at init: make them random too, so a lost norm offset would show.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif name.endswith(".bias"):
                p.copy_(0.02 * torch.randn_like(p))
    shard = job.get("shardBytes")
    model.save_pretrained(out, safe_serialization=True, **({"max_shard_size": shard} if shard else {}))
    if job.get("dropConfig"):
        config_file = out / "config.json"
        saved = json.loads(config_file.read_text(encoding="utf-8"))
        section = saved.get("text_config", saved)
        for key in job["dropConfig"]:
            section.pop(key, None)
        config_file.write_text(json.dumps(saved, indent=2), encoding="utf-8")
    print(json.dumps({"ok": True, "vocab": vocab}))


if __name__ == "__main__":
    main()
