"""Compares two GGUF files as the converter's bars ask, with gguf.GGUFReader (gguf 0.19.0).

argv[1] ours, argv[2] the reference, argv[3] (optional) a comma-separated list of keys to leave
out (model-card fields; `prefix.*` leaves out every key under prefix, e.g. `tokenizer.*`). Prints JSON: {"kv": [differences], "tensorInfo": [differences],
"tensorData": [names whose bytes differ], "tensors": N, "keys": N}. Tensors are compared by name
(per tensor, not by file position), data bytes exactly.
"""
import hashlib
import json
import sys

import numpy as np
from gguf import GGUFReader


def prefixes(skip):
    return [s[:-1] for s in skip if s.endswith(".*")]


def fields(reader, skip):
    # Raw bytes compare fast; contents() (slow for 100k-token arrays) only for what differs.
    out = {}
    for name, field in reader.fields.items():
        if name.startswith("GGUF.") or name in skip or any(name.startswith(p) for p in prefixes(skip)):
            continue
        raw = hashlib.sha256(b"".join(p.tobytes() for p in field.parts)).digest()
        out[name] = {"types": [t.name for t in field.types], "raw": raw, "field": field}
    return out


def describe(value):
    if isinstance(value, list):
        return f"list of {len(value)}: {value[:4]!r}..."
    if isinstance(value, str) and len(value) > 120:
        return value[:120] + "..."
    return repr(value)


def main():
    ours, ref = GGUFReader(sys.argv[1]), GGUFReader(sys.argv[2])
    skip = set(filter(None, (sys.argv[3] if len(sys.argv) > 3 else "").split(",")))
    a, b = fields(ours, skip), fields(ref, skip)
    kv = []
    for key in sorted(set(a) | set(b)):
        if key not in a:
            kv.append(f"{key}: missing from ours (reference {describe(b[key]['field'].contents())})")
        elif key not in b:
            kv.append(f"{key}: not in the reference (ours {describe(a[key]['field'].contents())})")
        elif a[key]["types"] != b[key]["types"]:
            kv.append(f"{key}: types {a[key]['types']} vs {b[key]['types']}")
        elif a[key]["raw"] != b[key]["raw"]:
            kv.append(f"{key}: {describe(a[key]['field'].contents())} vs {describe(b[key]['field'].contents())}")
    order_a = [k for k in a if k in b]
    order_b = [k for k in b if k in a]
    if order_a != order_b:
        kv.append(f"key order differs: {order_a} vs {order_b}")
    ta = {t.name: t for t in ours.tensors}
    tb = {t.name: t for t in ref.tensors}
    info, data = [], []
    for name in sorted(set(ta) | set(tb)):
        if name not in ta or name not in tb:
            info.append(f"{name}: only in {'ours' if name in ta else 'the reference'}")
            continue
        x, y = ta[name], tb[name]
        if x.tensor_type != y.tensor_type or list(map(int, x.shape)) != list(map(int, y.shape)):
            info.append(f"{name}: {x.tensor_type.name} {list(map(int, x.shape))} vs {y.tensor_type.name} {list(map(int, y.shape))}")
            continue
        if int(x.data_offset) % ours.alignment != 0:
            info.append(f"{name}: offset {int(x.data_offset)} not aligned")
        if hashlib.sha256(np.ascontiguousarray(x.data).tobytes()).digest() != hashlib.sha256(np.ascontiguousarray(y.data).tobytes()).digest():
            data.append(name)
    names_a = [t.name for t in ours.tensors]
    names_b = [t.name for t in ref.tensors]
    if names_a != names_b:
        info.append(f"tensor order differs: {names_a} vs {names_b}")
    print(json.dumps({"kv": kv, "tensorInfo": info, "tensorData": data, "tensors": len(ta), "keys": len(a)}))


if __name__ == "__main__":
    main()
