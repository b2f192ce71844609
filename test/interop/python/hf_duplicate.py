"""Server-side copies through the official huggingface_hub client, for test/interop/hf-duplicate.test.ts.

Usage: python hf_duplicate.py '{"call": "...", "kwargs": {...}}'. Calls:
- any HfApi method by name (duplicate_repo, list_repo_commits, list_repo_refs, repo_info, ...);
- "commit": create_commit with operations as in hf_commit.py ({"op": "add", ...}) plus
  {"op": "copy", "src": "a.bin", "dest": "b.bin", "src_repo_id": "alice/x", "src_repo_type": "model"};
  with "xet_stand_in": true, the cross-repo LFS sources are first duplicated by the client's own
  `_duplicate_lfs_files` (the /lfs-files/duplicate request), given a stand-in Xet hash, since this hub
  serves none and create_commit refuses an LFS source without one; "oid_override" replaces the
  sha256 the client sends (an object the source does not hold);
- "preupload": preupload_lfs_files (LFS uploads without a commit);
- "snapshot": snapshot_download, answering {path: sha256} of every file downloaded.
"""

import hashlib
import os

from huggingface_hub import CommitOperationCopy, HfApi, snapshot_download
from huggingface_hub._commit_api import _fetch_files_to_copy

from driver_report import report
from hf_commit import operation as add_or_delete
from hf_fidelity import plain, revive


def operation(spec):
    if spec["op"] == "copy":
        return CommitOperationCopy(
            src_path_in_repo=spec["src"],
            path_in_repo=spec["dest"],
            src_repo_id=spec.get("src_repo_id"),
            src_repo_type=spec.get("src_repo_type"),
        )
    return add_or_delete(spec)


def pre_duplicate(api, ops, kwargs, oid_override):
    """What create_commit does before its commit, with a stand-in Xet hash on each LFS source."""
    repo_type = kwargs.get("repo_type") or "model"
    files = _fetch_files_to_copy(
        copies=ops,
        repo_type=repo_type,
        repo_id=kwargs["repo_id"],
        headers=api._build_hf_headers(),
        revision=kwargs.get("revision") or "main",
        endpoint=api.endpoint,
    )
    for f in files.values():
        if not isinstance(f, bytes) and f.lfs:
            f.xet_hash = "0" * 64
            if oid_override:
                f.lfs.sha256 = oid_override
    api._duplicate_lfs_files(repo_id=kwargs["repo_id"], copies=ops, files_to_copy=files, repo_type=repo_type)


def snapshot(kwargs):
    root = snapshot_download(**kwargs)
    out = {}
    for dirpath, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not (dirpath == root and d == ".cache")]  # the client's own bookkeeping
        for name in names:
            full = os.path.join(dirpath, name)
            with open(full, "rb") as f:
                out[os.path.relpath(full, root).replace(os.sep, "/")] = hashlib.sha256(f.read()).hexdigest()
    return out


def main(args):
    api = HfApi()
    name = args["call"]
    kwargs = revive(args.get("kwargs", {}))
    if "operations" in kwargs:
        kwargs["operations"] = [operation(o) for o in kwargs["operations"]]
    if name == "snapshot":
        return {"value": snapshot(kwargs)}
    if name == "preupload":
        kwargs["additions"] = kwargs.pop("operations")
        api.preupload_lfs_files(**kwargs)
        return {"value": [op.upload_info.sha256.hex() for op in kwargs["additions"]]}
    if name == "commit":
        if args.get("xet_stand_in"):
            pre_duplicate(api, kwargs["operations"], kwargs, args.get("oid_override"))
        return {"value": plain(api.create_commit(**kwargs))}
    value = getattr(api, name)(**kwargs)
    if name == "duplicate_repo":
        return {"value": {"url": str(value), "repo_id": value.repo_id, "files_copy_pending": value.files_copy_pending}}
    return {"value": plain(value)}


if __name__ == "__main__":
    report(main)
