"""Drives the official modelscope SDKs for test/interop/ms-fidelity-sdk.test.ts.

Usage: python ms_fidelity.py '{"op": "...", "api": "legacy"|"new", ...}'. "legacy" is
`modelscope.hub.api.HubApi` (the in-tree hub of <= 1.37, or the compat shim of >= 1.38); "new" is
`modelscope_hub.HubApi`. The endpoint comes from the JSON. Prints one JSON line: the result, or
{"ok": false, "error": <class>, "message": ...} for an exception.
"""

import warnings
from driver_report import report


def legacy_api(endpoint):
    from modelscope.hub.api import HubApi
    return HubApi(endpoint=endpoint)


def new_api(endpoint):
    from modelscope_hub import HubApi
    return HubApi(endpoint=endpoint)


def entry(f):
    if isinstance(f, dict):
        return {"path": f.get("Path") or f.get("path"), "type": f.get("Type") or f.get("type"),
                "size": f.get("Size", f.get("size")), "sha256": f.get("Sha256", f.get("sha256"))}
    return {"path": f.path, "type": f.type, "size": f.size, "sha256": f.sha256}


def legacy_op(op, a, api, endpoint):
    rt = a.get("repo_type", "model")
    rev = a.get("revision")
    if op == "login":
        api.login(a["token"])
        return {}
    if op == "create_model":
        return {"url": api.create_model(a["repo_id"], visibility=a.get("visibility", 5), license=a.get("license"))}
    if op == "create_repo":
        extra = {"create_default_config": False} if rt == "model" else {}
        return {"url": str(api.create_repo(a["repo_id"], repo_type=rt, exist_ok=True, **extra))}
    if op == "upload_file":
        kw = {"revision": rev} if rev else {}
        info = api.upload_file(path_or_fileobj=a["file"], path_in_repo=a["path_in_repo"], repo_id=a["repo_id"],
                               repo_type=rt, commit_message=a.get("message"), **kw)
        return {"info": str(info)[:500]}
    if op == "upload_folder":
        kw = {"revision": rev} if rev else {}
        info = api.upload_folder(repo_id=a["repo_id"], folder_path=a["folder"], repo_type=rt, **kw)
        return {"info": str(info)[:500]}
    if op == "file_download":
        kw = {"cache_dir": a["cache_dir"], **({"revision": rev} if rev else {})}
        if rt == "dataset":
            from modelscope.hub.file_download import dataset_file_download
            return {"path": dataset_file_download(a["repo_id"], a["file_path"], endpoint=endpoint, **kw)}
        from modelscope.hub.file_download import model_file_download
        return {"path": model_file_download(a["repo_id"], a["file_path"], endpoint=endpoint, **kw)}
    if op == "list_files":
        if rt == "dataset":
            files = api.get_dataset_files(a["repo_id"], revision=rev or "master", recursive=True)
        else:
            files = api.get_model_files(a["repo_id"], revision=rev or "master", recursive=True)
        return {"files": [entry(f) for f in files]}
    if op == "list_revisions":
        branches, tags = api.get_model_branches_and_tags(a["repo_id"])
        return {"branches": branches, "tags": tags}
    if op == "create_tag":
        return {"url": api.create_model_tag(a["repo_id"], a["tag"])}
    if op == "delete_repo":
        api.delete_repo(a["repo_id"], rt)
        return {}
    if op == "repo_exists":
        return {"exists": api.repo_exists(a["repo_id"], repo_type=rt)}
    raise ValueError(f"unknown legacy op {op}")


def new_op(op, a, api):
    rt = a.get("repo_type", "model")
    rev = a.get("revision")
    if op == "create_model":
        info = api.create_repo(a["repo_id"], "model", visibility=a.get("visibility"), license=a.get("license"))
        return {"repo_id": info.repo_id}
    if op == "create_repo":
        info = api.create_repo(a["repo_id"], rt)
        return {"repo_id": info.repo_id}
    if op == "upload_file":
        return {"info": str(api.upload_file(a["repo_id"], rt, a["file"], a["path_in_repo"], revision=rev))[:500]}
    if op == "upload_folder":
        return {"info": str(api.upload_folder(a["repo_id"], rt, a["folder"], revision=rev))[:500]}
    if op == "file_download":
        return {"path": str(api.download_file(a["repo_id"], rt, a["file_path"], revision=rev, cache_dir=a["cache_dir"]))}
    if op == "snapshot_download":
        return {"path": str(api.download_repo(a["repo_id"], rt, revision=rev, cache_dir=a["cache_dir"]))}
    if op == "list_files":
        return {"files": [entry(f) for f in api.list_repo_files(a["repo_id"], rt, revision=rev)]}
    if op == "list_revisions":
        revs = api.list_repo_revisions(a["repo_id"], rt)
        return {"revisions": [r.get("Revision") for r in revs]}
    if op == "create_tag":
        return {"result": api.create_repo_tag(a["repo_id"], rt, a["tag"], revision=rev)}
    if op == "delete_repo":
        api.delete_repo(a["repo_id"], rt)
        return {}
    if op == "repo_exists":
        return {"exists": api.repo_exists(a["repo_id"], rt)}
    raise ValueError(f"unknown new op {op}")


def main(a):
    warnings.simplefilter("ignore")
    endpoint = a["endpoint"]
    if a.get("api") == "new":
        return new_op(a["op"], a, new_api(endpoint))
    return legacy_op(a["op"], a, legacy_api(endpoint), endpoint)


if __name__ == "__main__":
    report(main, catch=BaseException)
