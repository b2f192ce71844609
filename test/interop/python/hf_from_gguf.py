"""The judge of GGUF -> safetensors: transformers' own GGUF loader.

argv[1] a folder, argv[2] the GGUF file's name in it, argv[3] our safetensors folder, argv[4]
(optional) comma-separated config keys the loader is known to drop (phi3's LongRoPE rope_scaling). Loads the
model with AutoModelForCausalLM.from_pretrained(folder, gguf_file=...) (gguf-py dequantizes,
transformers names and un-permutes), and compares with our model.safetensors: names, shapes and
float32 bits of every tensor, and the config fields both have. Prints JSON of the differences.
"""
import json
import sys

import numpy as np
import torch
from safetensors.numpy import load_file
from transformers import AutoConfig, AutoModelForCausalLM


def main():
    folder, gguf_file, ours = sys.argv[1], sys.argv[2], sys.argv[3]
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf_file, torch_dtype=torch.float32)
    theirs = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    mine = load_file(f"{ours}/model.safetensors")
    diffs = []
    tied = bool(getattr(model.config, "tie_word_embeddings", False))
    for name in sorted(set(theirs) | set(mine)):
        if name not in mine:
            if not (tied and name == "lm_head.weight"):
                diffs.append(f"{name}: missing from ours")
            continue
        if name not in theirs:
            diffs.append(f"{name}: not in transformers' model")
            continue
        a = mine[name].astype(np.float32)
        b = theirs[name].astype(np.float32)
        if a.shape != b.shape:
            diffs.append(f"{name}: shape {a.shape} vs {b.shape}")
        elif not np.array_equal(a.view(np.uint32), b.view(np.uint32)):
            diffs.append(f"{name}: values differ ({int(np.sum(a.view(np.uint32) != b.view(np.uint32)))} of {a.size})")
    our_config = json.load(open(f"{ours}/config.json", encoding="utf-8"))
    config = AutoConfig.from_pretrained(folder, gguf_file=gguf_file).to_dict()
    dropped = set(filter(None, (sys.argv[4] if len(sys.argv) > 4 else "").split(",")))
    for key, value in our_config.items():
        if key in ("torch_dtype", "architectures") or key not in config or key in dropped:
            continue
        if config[key] != value and not (isinstance(value, float) and abs(config[key] - value) <= 1e-12):
            diffs.append(f"config {key}: {value!r} vs {config[key]!r}")
    print(json.dumps({"diffs": diffs, "tensors": len(mine)}))


if __name__ == "__main__":
    main()
