"""The gguf-py judge for hubferry's ggml codecs.

Reads a JSON list of jobs from the file named by argv[1]; each job is
{"op": "quantize" | "dequantize", "type": "Q8_0" | ..., "input": PATH, "output": PATH, "rowLength": N}.
quantize reads float32 values and writes gguf.quants.quantize's bytes; dequantize reads a type's
bytes and writes gguf.quants.dequantize's float32 values. One process runs every job, since
starting Python and importing numpy costs more than the work.
"""
import json
import sys

import numpy as np
from gguf import GGMLQuantizationType, quants


def run(job):
    qtype = GGMLQuantizationType[job["type"]]
    row = int(job["rowLength"])
    if job["op"] == "quantize":
        values = np.fromfile(job["input"], dtype=np.float32).reshape((-1, row))
        if qtype == GGMLQuantizationType.F16:
            out = values.astype(np.float16)
        elif qtype == GGMLQuantizationType.F32:
            out = values
        else:
            out = quants.quantize(values, qtype)
    else:
        raw = np.fromfile(job["input"], dtype=np.uint8)
        if qtype == GGMLQuantizationType.F16:
            out = raw.view(np.float16).astype(np.float32)
        else:
            block, size = quants.GGML_QUANT_SIZES[qtype]
            out = quants.dequantize(raw.reshape((-1, row // block * size)), qtype)
    np.ascontiguousarray(out).tofile(job["output"])


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    for job in jobs:
        run(job)


if __name__ == "__main__":
    main()
