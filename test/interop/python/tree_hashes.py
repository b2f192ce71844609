"""Shared by the client drivers: the sha256 of every file below a folder, by relative path."""

import hashlib
import os


def tree_hashes(path, skip=()):
    files = {}
    for root, _dirs, names in os.walk(path):
        for n in names:
            rel = os.path.relpath(os.path.join(root, n), path)
            if rel in skip:
                continue
            with open(os.path.join(root, n), "rb") as f:
                files[rel] = hashlib.sha256(f.read()).hexdigest()
    return files
