"""Commits through the official huggingface_hub client, for test/interop/hf-commit.test.ts.

Usage: python hf_commit.py '{"call": "create_commit", "kwargs": {...}}'. Like hf_fidelity.py (whose
`plain`/`revive` it reuses), plus commit operations given as JSON:
{"op": "add", "path": "a.txt", "text": "..."} or {"op": "add", "path": "w.bin", "size": N} (N
pseudo-random bytes), {"op": "delete", "path": "dir", "is_folder": true | false | "auto"}, and a
"read_file" call returning the text of one file downloaded with hf_hub_download.
"""

import hashlib

from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi, hf_hub_download

from hf_fidelity import plain, revive
from driver_report import report


def pseudo_random(size, seed):
    out = bytearray()
    block = hashlib.sha256(f"seed-{seed}".encode()).digest()
    while len(out) < size:
        out += block
        block = hashlib.sha256(block).digest()
    return bytes(out[:size])


def operation(spec):
    if spec["op"] == "add":
        data = spec["text"].encode("utf-8") if "text" in spec else pseudo_random(spec["size"], spec.get("seed", 1))
        return CommitOperationAdd(path_in_repo=spec["path"], path_or_fileobj=data)
    if spec["op"] == "delete":
        return CommitOperationDelete(path_in_repo=spec["path"], is_folder=spec.get("is_folder", "auto"))
    raise ValueError(f"unknown operation {spec['op']}")


def main(args):
    api = HfApi()
    name = args["call"]
    kwargs = revive(args.get("kwargs", {}))
    if "operations" in kwargs:
        kwargs["operations"] = [operation(o) for o in kwargs["operations"]]
    if name == "read_file":
        path = hf_hub_download(**kwargs)
        with open(path, "rb") as f:
            return {"ok": True, "value": f.read().decode("utf-8", "replace")}
    value = getattr(api, name)(**kwargs)
    return {"ok": True, "value": plain(value)}


if __name__ == "__main__":
    report(main)
