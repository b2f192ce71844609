"""Which paths huggingface_hub's own filter keeps, for each case: the judge of --include/--exclude."""
import json
import sys

from huggingface_hub.utils import filter_repo_objects

cases = json.loads(sys.argv[1])
out = []
for case in cases:
    kept = list(
        filter_repo_objects(
            case["paths"],
            allow_patterns=case.get("include") or None,
            ignore_patterns=case.get("exclude") or None,
        )
    )
    out.append(kept)
print(json.dumps({"ok": True, "kept": out}))
