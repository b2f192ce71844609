// Seeds a source store (no HTTP, streamed, never a whole large file in memory) with the same
// repo on both API faces, sharing the blobs: `hf:bench/<name>` and `ms:bench/<name>`.
import { join } from "node:path";
import { contentOf } from "./shapes.mjs";

const root = new URL("../..", import.meta.url).pathname;

/** Returns the files with their sha256 (what the upload-alone measurement declares). */
export async function seedSource(storeRoot, name, files) {
  const { startLocalHub, UserTable } = await import(join(root, "dist/index.js"));
  const { lfsEntry, storeRegular } = await import(join(root, "dist/server/store/file-entry.js"));
  // LFS only: no Xet layouts computed in the background of the bench.
  const hub = await startLocalHub({ root: storeRoot, users: new UserTable(), port: 0, xet: false });
  try {
    const entries = {};
    const manifest = [];
    for (const f of files) {
      const entry =
        f.kind === "large"
          ? lfsEntry(await hub.hub.blobs.putStream(contentOf(f)))
          : await storeRegular(hub.hub.blobs, contentOf(f));
      if (entry.size !== f.size) throw new Error(`seed: ${f.path} is ${entry.size} bytes, not ${f.size}`);
      entries[f.path] = entry;
      manifest.push({ ...f, sha256: entry.sha256 });
    }
    const ops = Object.entries(entries).map(([path, entry]) => ({ kind: "add", path, entry }));
    const hf = await hub.hub.repos.create(
      { face: "hf", type: "model", namespace: "bench", name },
      { private: false, author: "bench", initialFiles: {} },
    );
    await hub.hub.repos.commit(hf, { branch: "main", title: "seed", description: "", author: "bench", ops });
    // As `POST /api/v1/models` makes it (default branch master, numeric id), minus .gitattributes.
    const ms = await hub.hub.repos.create(
      { face: "ms", type: "model", namespace: "bench", name },
      {
        private: false,
        author: "bench",
        initialFiles: {},
        defaultBranch: "master",
        extra: { numericId: 101, visibility: 5, chineseName: "", description: "", createdBy: "bench" },
      },
    );
    await hub.hub.repos.commit(ms, {
      branch: "master",
      title: "seed",
      description: "",
      author: "bench",
      ops,
    });
    return manifest;
  } finally {
    await hub.close();
  }
}
