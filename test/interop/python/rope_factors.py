"""llama3 rope_freqs as convert_hf_to_gguf.py computes them (conversion/llama.py,
generate_extra_tensors: torch float32 on 0-dim tensors), for each configuration in argv[1] (a JSON
list of {base, dim, factor, low, high, old}). Prints {"factors": [[...], ...]}."""
import json
import math
import sys

import torch


def factors(base, dim, factor, low, high, old):
    freqs = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
    low_wavelen = old / low
    high_wavelen = old / high
    out = []
    for freq in freqs:
        wavelen = 2 * math.pi / freq
        if wavelen < high_wavelen:
            out.append(1)
        elif wavelen > low_wavelen:
            out.append(factor)
        else:
            smooth = (old / wavelen - low) / (high - low)
            out.append(1 / ((1 - smooth) / factor + smooth))
    return torch.tensor(out, dtype=torch.float32).tolist()


jobs = json.loads(sys.argv[1])
print(json.dumps({"factors": [factors(float(j["base"]), j["dim"], float(j["factor"]), float(j["low"]), float(j["high"]), j["old"]) for j in jobs]}))
