// Writes a local hub store of N generated model repos straight through the store's own classes
// (from dist/): creating 100,000 repos over HTTP would take most of an hour, and what is measured
// is searching them, not creating them. Cards vary so that filters select a known share.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pLimit from "p-limit";
import { BlobStore } from "../../dist/server/store/blob-store.js";
import { storeRegular } from "../../dist/server/store/file-entry.js";
import { RepoStore } from "../../dist/server/store/repo-store.js";

export const TASKS = [
  "text-generation",
  "text-classification",
  "image-classification",
  "automatic-speech-recognition",
  "translation",
];
export const LIBRARIES = ["transformers", "diffusers", "gguf", "timm"];

/** Repo i's id and card: every 5th shares a task, every 4th a library; every 50th is private. */
export function generatedRepo(i) {
  return {
    namespace: `org${i % 200}`,
    name: `model-${i}`,
    task: TASKS[i % TASKS.length],
    library: LIBRARIES[i % LIBRARIES.length],
    private: i % 50 === 0,
  };
}

export async function generateStore(root, count, log) {
  await mkdir(root, { recursive: true });
  await writeFile(join(root, "HUBFERRY-STORE"), "hubferry local hub store, format 1\n");
  const blobs = new BlobStore(root);
  await blobs.init();
  const repos = new RepoStore(root);
  await repos.init();
  // One README blob per (task, library) pair: the store keeps each content once.
  const cards = new Map();
  for (const task of TASKS)
    for (const library of LIBRARIES) {
      const text = `---\npipeline_tag: ${task}\nlibrary_name: ${library}\nlicense: mit\ntags:\n  - bench\n---\n# generated\n`;
      cards.set(`${task} ${library}`, await storeRegular(blobs, Buffer.from(text)));
    }
  const config = await storeRegular(blobs, Buffer.from('{"model_type": "bench"}\n'));
  const limit = pLimit(16);
  const t0 = Date.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      limit(async () => {
        const r = generatedRepo(i);
        await repos.create(
          { face: "hf", type: "model", namespace: r.namespace, name: r.name },
          {
            private: r.private,
            author: r.namespace,
            initialFiles: { "README.md": cards.get(`${r.task} ${r.library}`), "config.json": config },
          },
        );
        if (++done % 10_000 === 0) log(`  ${done} repos (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      }),
    ),
  );
  return (Date.now() - t0) / 1000;
}
