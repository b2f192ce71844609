"""Drives the official modelscope SDK (either generation) against the local hub.

Usage: python ms_client.py '{"op": "...", ...}'. The endpoint comes from the JSON ("endpoint");
the legacy generation (<= 1.37) takes it only as an argument, the new one also reads
MODELSCOPE_ENDPOINT. Prints one JSON line: the result, or {"ok": false, "error": <class>, ...}.
"""

import os

import modelscope
from tree_hashes import tree_hashes
from modelscope.hub.api import HubApi
from driver_report import report


def listing_entry(f):
    return {"path": f.get("Path") or f.get("path"), "type": f.get("Type") or f.get("type"),
            "size": f.get("Size", f.get("size")), "sha256": f.get("Sha256", f.get("sha256"))}


def main(args):
    op = args["op"]
    endpoint = args.get("endpoint")
    api = HubApi(endpoint=endpoint) if endpoint else HubApi()
    rt = args.get("repo_type", "model")
    if op == "version":
        out = {"version": modelscope.__version__}
        try:
            import modelscope_hub
            out["hub_version"] = modelscope_hub.__version__
        except ImportError:
            out["hub_version"] = None
        return out
    if op == "login":
        res = api.login(args["token"])
        return {"result": str(type(res).__name__)}
    if op == "whoami":
        from modelscope_hub import HubApi as NewHubApi
        me = NewHubApi(endpoint=endpoint).whoami()
        return {"username": me.username, "email": me.email}
    if op == "create_repo":
        kwargs = {"repo_type": rt, "exist_ok": args.get("exist_ok", False), "visibility": args.get("visibility", "public")}
        if "create_default_config" in args:
            kwargs["create_default_config"] = args["create_default_config"]
        url = api.create_repo(args["repo_id"], **kwargs)
        return {"url": str(url)}
    if op == "repo_exists":
        return {"exists": api.repo_exists(args["repo_id"], repo_type=rt)}
    if op == "get_model":
        info = api.get_model(args["repo_id"])
        return {"name": info.get("Name") if isinstance(info, dict) else getattr(info, "name", None)}
    if op == "upload_file":
        info = api.upload_file(path_or_fileobj=args["file"], path_in_repo=args["path_in_repo"], repo_id=args["repo_id"],
                               repo_type=rt, commit_message=args.get("message"))
        return {"info": str(info)[:500]}
    if op == "upload_folder":
        info = api.upload_folder(repo_id=args["repo_id"], folder_path=args["folder"], repo_type=rt,
                                 commit_message=args.get("message"))
        return {"info": str(info)[:500]}
    if op == "list_model_files":
        files = api.get_model_files(args["repo_id"], recursive=True, revision=args.get("revision", "master"))
        return {"files": [listing_entry(f) for f in files]}
    if op == "list_repo_files":
        from modelscope_hub import HubApi as NewHubApi
        files = NewHubApi(endpoint=endpoint).list_repo_files(args["repo_id"], rt, revision=args.get("revision"))
        return {"files": [{"path": f.path, "type": f.type, "size": f.size, "sha256": f.sha256} for f in files]}
    if op == "list_models":
        if args.get("legacy"):
            data = api.list_models(args["owner"], page_number=1, page_size=args.get("page_size", 10))
            return {"ids": [f'{m.get("Path")}/{m.get("Name")}' for m in data["Models"]], "total": data.get("TotalCount")}
        from modelscope_hub import HubApi as NewHubApi
        page = NewHubApi(endpoint=endpoint).list_repos(rt, owner=args.get("owner"), search=args.get("search"), page_size=args.get("page_size", 10))
        return {"ids": [r.repo_id if hasattr(r, "repo_id") else r.id for r in page.items], "total": page.total_count}
    if op == "list_datasets":
        data = api.list_datasets(args["owner"], page_number=1, page_size=args.get("page_size", 10), search=args.get("search"))
        items = data.get("datasets") if isinstance(data, dict) else data
        return {"ids": [d.get("id") for d in items], "total": data.get("total_count") if isinstance(data, dict) else None}
    if op == "list_dataset_files":
        files = api.get_dataset_files(args["repo_id"], recursive=True, revision=args.get("revision", "master"))
        return {"files": [listing_entry(f) for f in files]}
    if op == "snapshot_download":
        kwargs = {"cache_dir": args.get("cache_dir"), "local_dir": args.get("local_dir"), "endpoint": endpoint}
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        if rt == "dataset":
            from modelscope.hub.snapshot_download import dataset_snapshot_download
            path = dataset_snapshot_download(args["repo_id"], **kwargs)
        else:
            from modelscope.hub.snapshot_download import snapshot_download
            path = snapshot_download(args["repo_id"], **kwargs)
        return {"path": path}
    if op == "file_download":
        kwargs = {"cache_dir": args.get("cache_dir"), "local_dir": args.get("local_dir"), "endpoint": endpoint}
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        if rt == "dataset":
            from modelscope.hub.file_download import dataset_file_download
            path = dataset_file_download(args["repo_id"], args["file_path"], **kwargs)
        else:
            from modelscope.hub.file_download import model_file_download
            path = model_file_download(args["repo_id"], args["file_path"], **kwargs)
        return {"path": path}
    if op == "cache_read":
        # Offline: what a cache written by another program gives back (MODELSCOPE_CACHE set by the test).
        from modelscope.hub.snapshot_download import snapshot_download
        if rt == "dataset":
            try:
                path = snapshot_download(repo_id=args["repo_id"], repo_type="dataset", local_files_only=True)
            except TypeError:
                from modelscope.hub.snapshot_download import dataset_snapshot_download
                path = dataset_snapshot_download(args["repo_id"], local_files_only=True)
        else:
            path = snapshot_download(args["repo_id"], local_files_only=True)
        files = tree_hashes(path, skip=(".msc", ".mdl", ".mv"))
        return {"path": path, "files": files}
    if op == "delete_files":
        # Both generations: (repo_id, repo_type, delete_patterns); 1.37 sends DELETE .../file per path
        # with its cookies, modelscope-hub commits delete actions.
        res = api.delete_files(args["repo_id"], rt, args["patterns"])
        return {"deleted": list(res.get("deleted_files", [])), "failed": list(res.get("failed_files", []))}
    if op == "stored_token":
        from modelscope.hub.api import ModelScopeConfig
        cookies = ModelScopeConfig.get_cookies()
        token = None
        if cookies is not None:
            token = next((c.value for c in cookies if c.name == "m_session_id"), None)
        user = ModelScopeConfig.get_user_info() if hasattr(ModelScopeConfig, "get_user_info") else None
        return {"token": token, "user": list(user) if user else None}
    raise ValueError(f"unknown op {op}")


if __name__ == "__main__":
    report(main, catch=BaseException)
