"""The judge for hubferry's K-quant codecs, run by .venv/gguf/bin/python.

Encodes with ggml's own reference quantizers (ggml_quantize_chunk with no importance matrix, what
llama-quantize does without an imatrix) from the libggml-base.so that scripts/setup-ggml.mjs
builds, and decodes with gguf-py's gguf.quants.dequantize. One process runs a whole batch of jobs,
since Python's start-up is the slow part.

argv[1] is JSON: {"lib": optional path to libggml-base.so, "jobs": [...]}, each job either
  {"op": "quantize", "type": <ggml type id>, "input": <f32 file>, "n_per_row": N, "output": <file>}
  {"op": "dequantize", "type": <ggml type id>, "input": <bytes file>, "output": <f32 file>}
Prints {"ok": true, "seconds": [...]} last (each job's ggml or gguf call time, for bench/k-quants-bench.mjs),
or {"ok": false, "error": <class>, "message": ...}.
"""

import ctypes
import json
import os
import sys
import time
import traceback

import numpy as np
from gguf import GGMLQuantizationType
from gguf.quants import dequantize

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEFAULT_LIB = os.path.join(ROOT, ".venv", "ggml", "build", "bin", "libggml-base.so")


def load(path):
    lib = ctypes.CDLL(path)
    lib.ggml_quantize_chunk.restype = ctypes.c_size_t
    lib.ggml_quantize_chunk.argtypes = [
        ctypes.c_int,  # enum ggml_type
        ctypes.c_void_p,  # const float * src
        ctypes.c_void_p,  # void * dst
        ctypes.c_int64,  # start
        ctypes.c_int64,  # nrows
        ctypes.c_int64,  # n_per_row
        ctypes.c_void_p,  # const float * imatrix (NULL)
    ]
    lib.ggml_row_size.restype = ctypes.c_size_t
    lib.ggml_row_size.argtypes = [ctypes.c_int, ctypes.c_int64]
    return lib


def quantize(lib, job):
    src = np.ascontiguousarray(np.fromfile(job["input"], dtype=np.float32))
    n_per_row = int(job["n_per_row"])
    nrows = src.size // n_per_row
    assert nrows * n_per_row == src.size, "input is not a whole number of rows"
    dst = np.zeros(lib.ggml_row_size(job["type"], n_per_row) * nrows, dtype=np.uint8)
    started = time.perf_counter()
    written = lib.ggml_quantize_chunk(job["type"], src.ctypes.data, dst.ctypes.data, 0, nrows, n_per_row, None)
    elapsed = time.perf_counter() - started
    assert written == dst.size, f"ggml wrote {written} bytes, expected {dst.size}"
    dst.tofile(job["output"])
    return elapsed


def dequantize_job(job):
    data = np.fromfile(job["input"], dtype=np.uint8)
    started = time.perf_counter()
    values = dequantize(data, GGMLQuantizationType(job["type"]))
    elapsed = time.perf_counter() - started
    np.ascontiguousarray(values, dtype=np.float32).tofile(job["output"])
    return elapsed


def main():
    spec = json.loads(sys.argv[1])
    lib = None
    seconds = []
    for job in spec["jobs"]:
        if job["op"] == "quantize":
            lib = lib or load(spec.get("lib") or DEFAULT_LIB)
            seconds.append(quantize(lib, job))
        elif job["op"] == "dequantize":
            seconds.append(dequantize_job(job))
        else:
            raise ValueError(f"unknown op {job['op']}")
    print(json.dumps({"ok": True, "jobs": len(spec["jobs"]), "seconds": seconds}))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # reported to the test as JSON, with the trace
        print(json.dumps({"ok": False, "error": type(e).__name__, "message": str(e), "trace": traceback.format_exc()}))
