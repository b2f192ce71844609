"""Drives huggingface_hub with hf_xet against the local hub (Xet left on unless the env says).

Usage: python hf_xet.py '{"op": "...", ...}'. Prints one JSON line (see driver_report).
"""

import hashlib
import os

import huggingface_hub
from huggingface_hub import HfApi, hf_hub_download, snapshot_download
from huggingface_hub.utils._runtime import is_xet_available
from driver_report import report
from tree_hashes import tree_hashes


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main(args):
    api = HfApi()
    op = args["op"]
    if op == "env":
        return {"version": huggingface_hub.__version__, "xet": is_xet_available()}
    if op == "create_repo":
        api.create_repo(args["repo_id"], private=args.get("private", False), exist_ok=True)
        return {}
    if op == "upload_folder":
        info = api.upload_folder(folder_path=args["folder"], repo_id=args["repo_id"])
        return {"commit": info.oid}
    if op == "upload_file":
        info = api.upload_file(path_or_fileobj=args["path"], path_in_repo=args["path_in_repo"], repo_id=args["repo_id"])
        return {"commit": info.oid}
    if op == "tree":
        out = {}
        for e in api.list_repo_tree(args["repo_id"], recursive=True):
            if hasattr(e, "xet_hash"):
                out[e.path] = getattr(e, "xet_hash", None)
        return {"xet_hashes": out}
    if op == "hf_hub_download":
        path = hf_hub_download(args["repo_id"], args["filename"], cache_dir=args["cache_dir"])
        return {"sha256": sha256_of(path), "size": os.path.getsize(path)}
    if op == "snapshot_download":
        path = snapshot_download(args["repo_id"], cache_dir=args["cache_dir"])
        return {"files": tree_hashes(path)}
    raise ValueError(f"unknown op {op}")


if __name__ == "__main__":
    report(main)
