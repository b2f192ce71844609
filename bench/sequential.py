"""The sequential method, as people migrate by hand: the official client of the source hub
downloads the whole repo to disk (snapshot_download into a staging folder), then the official
client of the destination hub uploads that folder (upload_folder).

    python bench/sequential.py run '<json>'

with {"direction": "hf2ms" | "ms2hf" | "ms2ms" | "hf2hf" | "folder2hf" | "folder2ms",
      "repo": "owner/name", "dest_repo": "owner/name" (default: repo), "stage": DIR,
      "hf_python": ".venv/hf/bin/python", "ms_python": ".venv/msnew/bin/python"}.
A same-hub copy (ms2ms, hf2hf) needs dest_repo. folder2hf / folder2ms upload the folder `stage`
as it is (no download step, download_s is 0) and leave it in place.
Endpoints and tokens come from the environment, as each client reads them (HF_ENDPOINT, HF_TOKEN,
MODELSCOPE_ENDPOINT, MODELSCOPE_API_TOKEN). Each step runs in its own client's interpreter, as a
subprocess of this one, so a single `/usr/bin/time -v` measures the whole method. Prints one JSON
line: {"ok": true, "download_s": ..., "upload_s": ...} or {"ok": false, "error": ...}.
"""

import json
import os
import subprocess
import sys
import time
import traceback

# What modelscope's snapshot_download leaves in a local_dir next to the repo's files.
MS_ARTIFACTS = [".msc", ".mv", ".mdl", "._____temp", "._____temp/**", ".ms_upload_cache*"]


def step(args):
    op = args["op"]
    if op == "hf_download":
        from huggingface_hub import snapshot_download

        snapshot_download(args["repo"], local_dir=args["stage"])
    elif op == "ms_download":
        from modelscope.hub.snapshot_download import snapshot_download

        snapshot_download(args["repo"], local_dir=args["stage"])
    elif op == "hf_upload":
        from huggingface_hub import HfApi

        api = HfApi()
        api.create_repo(args["repo"], exist_ok=True)
        api.upload_folder(folder_path=args["stage"], repo_id=args["repo"], commit_message="sequential",
                          ignore_patterns=MS_ARTIFACTS)
    elif op == "ms_upload":
        from modelscope.hub.api import HubApi

        api = HubApi()
        api.create_repo(args["repo"], exist_ok=True, visibility="public")
        api.upload_folder(repo_id=args["repo"], folder_path=args["stage"], commit_message="sequential",
                          disable_tqdm=True)
    else:
        raise ValueError(f"unknown step {op}")
    return {}


def run(args):
    src, dst = args["direction"].split("2")
    down = None if src == "folder" else f"{src}_download"
    up = f"{dst}_upload"
    py = {"hf": args["hf_python"], "ms": args["ms_python"]}
    out = {"download_s": 0.0}
    for key, op, repo in (("download_s", down, args["repo"]), ("upload_s", up, args.get("dest_repo", args["repo"]))):
        if op is None:
            continue
        t0 = time.monotonic()
        r = subprocess.run([py[op[:2]], os.path.abspath(__file__), "step",
                            json.dumps({"op": op, "repo": repo, "stage": args["stage"]})],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out[key] = time.monotonic() - t0
        if r.returncode != 0:
            raise RuntimeError(f"{op} exited {r.returncode}: {r.stderr[-3000:]}")
    return out


if __name__ == "__main__":
    mode, spec = sys.argv[1], json.loads(sys.argv[2])
    try:
        result = {"ok": True, **(run(spec) if mode == "run" else step(spec))}
    except BaseException as exc:  # reported, not raised: the benchmark reads the JSON
        result = {"ok": False, "error": type(exc).__name__, "message": str(exc)[-3000:],
                  "trace": traceback.format_exc()[-3000:]}
    print(json.dumps(result))
    sys.exit(0 if result["ok"] else 1)
