"""Drives the official huggingface_hub client against the local hub for the interop suite.

Usage: python hf_client.py '{"op": "...", ...}'. Prints one JSON line: the result, or
{"ok": false, "error": <exception class>, "mro": [...], "message": ...} for an exception, so the
Node test can assert which error type the official client raised.
"""

import os

import huggingface_hub
from tree_hashes import tree_hashes
from huggingface_hub import HfApi, hf_hub_download, snapshot_download
from driver_report import report


def entry(e):
    out = {"path": e.path, "type": "directory" if e.__class__.__name__ == "RepoFolder" else "file"}
    if out["type"] == "file":
        out["size"] = e.size
        out["blob_id"] = e.blob_id
        out["lfs"] = {"sha256": e.lfs.sha256, "size": e.lfs.size} if e.lfs else None
        if getattr(e, "last_commit", None):
            out["last_commit"] = e.last_commit.oid
    return out


def main(args):
    api = HfApi()
    op = args["op"]
    rt = args.get("repo_type")
    if op == "version":
        return {"version": huggingface_hub.__version__}
    if op == "whoami":
        me = api.whoami()
        return {"name": me["name"], "orgs": [o["name"] for o in me.get("orgs", [])], "role": me["auth"]["accessToken"]["role"]}
    if op == "create_repo":
        url = api.create_repo(args["repo_id"], repo_type=rt, private=args.get("private", False),
                              exist_ok=args.get("exist_ok", False), space_sdk=args.get("space_sdk"))
        return {"url": str(url), "repo_id": url.repo_id}
    if op == "delete_repo":
        api.delete_repo(args["repo_id"], repo_type=rt)
        return {}
    if op == "upload_folder":
        info = api.upload_folder(folder_path=args["folder"], repo_id=args["repo_id"], repo_type=rt,
                                 commit_message=args.get("message", "upload"), revision=args.get("revision"),
                                 delete_patterns=args.get("delete_patterns"))
        return {"commit": info.oid, "url": info.commit_url}
    if op == "upload_file":
        info = api.upload_file(path_or_fileobj=args["file"], path_in_repo=args["path_in_repo"], repo_id=args["repo_id"],
                               repo_type=rt, revision=args.get("revision"), parent_commit=args.get("parent_commit"))
        return {"commit": info.oid}
    if op == "delete_file":
        info = api.delete_file(args["path_in_repo"], repo_id=args["repo_id"], repo_type=rt)
        return {"commit": info.oid}
    if op == "create_branch":
        api.create_branch(args["repo_id"], branch=args["branch"], repo_type=rt, revision=args.get("revision"))
        return {}
    if op == "list_repo_tree":
        entries = api.list_repo_tree(args["repo_id"], repo_type=rt, recursive=args.get("recursive", False),
                                     revision=args.get("revision"), path_in_repo=args.get("path"), expand=args.get("expand", False))
        return {"entries": [entry(e) for e in entries]}
    if op == "get_paths_info":
        entries = api.get_paths_info(args["repo_id"], args["paths"], repo_type=rt, revision=args.get("revision"))
        return {"entries": [entry(e) for e in entries]}
    if op == "repo_info":
        info = api.repo_info(args["repo_id"], repo_type=rt, revision=args.get("revision"), files_metadata=args.get("files_metadata", False))
        sib = [{"path": s.rfilename, "size": s.size, "lfs": bool(s.lfs)} for s in (info.siblings or [])]
        return {"id": info.id, "sha": info.sha, "private": info.private, "tags": info.tags, "siblings": sib,
                "sdk": getattr(info, "sdk", None), "last_modified": info.last_modified.isoformat() if info.last_modified else None,
                "card_data": info.card_data.to_dict() if getattr(info, "card_data", None) else None}
    if op == "list_repo_files":
        return {"files": api.list_repo_files(args["repo_id"], repo_type=rt, revision=args.get("revision"))}
    if op == "file_exists":
        return {"exists": api.file_exists(args["repo_id"], args["filename"], repo_type=rt, revision=args.get("revision"))}
    if op == "hf_hub_download":
        path = hf_hub_download(args["repo_id"], args["filename"], repo_type=rt, revision=args.get("revision"),
                               local_dir=args.get("local_dir"))
        return {"path": path}
    if op == "snapshot_download":
        path = snapshot_download(args["repo_id"], repo_type=rt, revision=args.get("revision"), local_dir=args.get("local_dir"),
                                 allow_patterns=args.get("allow_patterns"))
        return {"path": path}
    if op in ("list_models", "list_datasets", "list_spaces"):
        fn = getattr(api, op)
        kwargs = {k: args[k] for k in ("search", "author", "filter", "sort", "limit") if k in args}
        items = list(fn(**kwargs))
        return {"ids": [i.id for i in items]}
    if op == "cache_read":
        # Reads a cache another program wrote, offline (HF_HUB_OFFLINE=1 set by the test).
        from huggingface_hub import constants, scan_cache_dir, try_to_load_from_cache
        path = snapshot_download(args["repo_id"], repo_type=rt, revision=args.get("revision"))
        files = tree_hashes(path)
        one = hf_hub_download(args["repo_id"], args["filename"], repo_type=rt, revision=args.get("revision"))
        cached = try_to_load_from_cache(args["repo_id"], args["filename"], repo_type=rt or "model")
        info = scan_cache_dir()
        repos = [{"repo_id": r.repo_id, "repo_type": r.repo_type, "size": r.size_on_disk, "nb_files": r.nb_files,
                  "refs": sorted(r.refs), "revisions": sorted(v.commit_hash for v in r.revisions)} for r in info.repos]
        return {"path": path, "files": files, "one": one, "cached": cached, "repos": repos,
                "warnings": [str(w) for w in info.warnings], "offline": constants.HF_HUB_OFFLINE}
    if op == "scan_cache":
        from huggingface_hub import scan_cache_dir
        info = scan_cache_dir()
        return {"repos": [{"repo_id": r.repo_id, "size": r.size_on_disk} for r in info.repos],
                "warnings": [str(w) for w in info.warnings]}
    if op == "get_token":
        from huggingface_hub import get_token
        return {"token": get_token()}
    if op == "login":
        from huggingface_hub import login
        login(token=args["token"])
        return {}
    if op == "logout":
        from huggingface_hub import logout
        logout()
        return {}
    raise ValueError(f"unknown op {op}")


if __name__ == "__main__":
    report(main)
