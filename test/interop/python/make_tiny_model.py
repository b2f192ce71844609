"""Makes a tiny random Hugging Face checkpoint with transformers (CPU torch), for the converter tests.

argv[1] is a JSON job: {"arch": "llama" | "qwen2" | "qwen3", "tokenizer": DIR (tokenizer.json and
tokenizer_config.json of a real model), "out": DIR, "hidden": N, "layers": N, "heads": N,
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
    if job["arch"] == "llama":
        return transformers.LlamaConfig(rope_theta=500000.0, **common), transformers.LlamaForCausalLM
    if job["arch"] == "qwen2":
        return transformers.Qwen2Config(rope_theta=1000000.0, **common), transformers.Qwen2ForCausalLM
    if job["arch"] == "qwen3":
        return transformers.Qwen3Config(rope_theta=1000000.0, head_dim=job["hidden"] // job["heads"], **common), transformers.Qwen3ForCausalLM
    raise ValueError(job["arch"])


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        job = json.load(f)
    torch.manual_seed(job.get("seed", 0))
    out = Path(job["out"])
    out.mkdir(parents=True, exist_ok=True)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(Path(job["tokenizer"]) / name, out / name)
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
    print(json.dumps({"ok": True, "vocab": vocab}))


if __name__ == "__main__":
    main()
