"""Calls one HfApi method (or a huggingface_hub function) against the local hub, for the fidelity suite.

Usage: python hf_fidelity.py '{"call": "repo_exists", "kwargs": {...}}'. Prints one JSON line:
{"ok": true, "value": ...} or {"ok": false, "error": <class>, "mro": [...], "status": ..., "message": ...,
"server_message": ...} so the Node test can assert what the official client made of the answer.
"""

import dataclasses
import datetime

import huggingface_hub
from huggingface_hub import HfApi
from driver_report import report


def plain(v, depth=0):
    if depth > 6:
        return repr(v)
    if isinstance(v, str) and type(v) is not str and dataclasses.is_dataclass(v):
        pass  # CommitInfo is a str subclass: report its fields, not its URL
    elif v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): plain(x, depth + 1) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return [plain(x, depth + 1) for x in v]
    if dataclasses.is_dataclass(v):
        return {f.name: plain(getattr(v, f.name, None), depth + 1) for f in dataclasses.fields(v)}
    if hasattr(v, "__iter__") and not isinstance(v, (bytes, bytearray)):
        return [plain(x, depth + 1) for x in v]
    if hasattr(v, "__dict__"):
        return {k: plain(x, depth + 1) for k, x in vars(v).items() if not k.startswith("_")}
    return repr(v)


def revive(v):
    """`{"__bytes__": "text"}` stands for bytes (file contents) in JSON arguments."""
    if isinstance(v, dict):
        if set(v) == {"__bytes__"}:
            return v["__bytes__"].encode("utf-8")
        return {k: revive(x) for k, x in v.items()}
    if isinstance(v, list):
        return [revive(x) for x in v]
    return v


def main(args):
    api = HfApi()
    name = args["call"]
    kwargs = revive(args.get("kwargs", {}))
    if name == "metadata_update":
        value = huggingface_hub.metadata_update(**kwargs)
    elif name == "card_validate":
        from huggingface_hub import ModelCard
        ModelCard(kwargs["content"]).validate(repo_type=kwargs.get("repo_type"))
        value = None
    elif name == "lfs_files_then_delete":
        files = list(api.list_lfs_files(kwargs["repo_id"], repo_type=kwargs.get("repo_type")))
        api.permanently_delete_lfs_files(kwargs["repo_id"], files, repo_type=kwargs.get("repo_type"))
        value = [plain(f) for f in files]
    else:
        value = getattr(api, name)(**kwargs)
    return {"ok": True, "value": plain(value)}


if __name__ == "__main__":
    report(main)
