import type { HubState } from "./hub-state.js";
import { lfsEntry, storeRegular } from "./store/file-entry.js";
import type { FileMap } from "./store/file-tree.js";
import { DEFAULT_GITATTRIBUTES } from "./store/gitattributes.js";
import type { Face } from "./store/repo-store.js";

/** A tiny but real safetensors file: an 8-byte header length, a JSON header, then the tensor bytes. */
export function sampleSafetensors(values: number): Buffer {
  // One block of varied floats, repeated: fast to make at any size, and not all zeros.
  const block = Buffer.alloc(64 * 1024);
  for (let i = 0; i < block.length / 4; i++) block.writeFloatLE(Math.sin(i) / 2, i * 4);
  const data = Buffer.alloc(values * 4);
  for (let off = 0; off < data.length; off += block.length)
    block.copy(data, off, 0, Math.min(block.length, data.length - off));
  const header = Buffer.from(
    JSON.stringify({
      __metadata__: { format: "pt" },
      "linear.weight": { dtype: "F32", shape: [values], data_offsets: [0, data.byteLength] },
    }),
  );
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.byteLength));
  return Buffer.concat([len, header, data]);
}

export function sampleRepoFiles(
  opts: { weightsBytes?: number } = {},
): { path: string; content: Buffer; lfs: boolean }[] {
  const readme = `---
license: mit
library_name: transformers
pipeline_tag: text-classification
tags:
  - hubferry-sample
---

# hubferry sample model

A tiny repo made by \`hubferry serve --sample\` so that the local hub has something to serve.
`;
  return [
    { path: ".gitattributes", content: Buffer.from(DEFAULT_GITATTRIBUTES), lfs: false },
    { path: "README.md", content: Buffer.from(readme), lfs: false },
    {
      path: "config.json",
      content: Buffer.from(
        `${JSON.stringify({ model_type: "hubferry-sample", hidden_size: 64 }, null, 2)}\n`,
      ),
      lfs: false,
    },
    { path: "tokenizer/vocab.txt", content: Buffer.from("[PAD]\n[UNK]\nhello\nworld\n"), lfs: false },
    {
      path: "model.safetensors",
      content: sampleSafetensors(Math.max(1024, Math.floor((opts.weightsBytes ?? 256 * 1024) / 4))),
      lfs: true,
    },
  ];
}

/** Creates `namespace/name` with the sample files on the given face unless it exists already. */
export async function seedSampleRepo(
  hub: HubState,
  face: Face,
  namespace: string,
  name: string,
  opts: { weightsBytes?: number } = {},
): Promise<boolean> {
  const key = { face, type: "model" as const, namespace, name };
  if (hub.repos.get(key)) return false;
  const files: FileMap = {};
  for (const f of sampleRepoFiles(opts)) {
    files[f.path] = f.lfs
      ? lfsEntry(await hub.blobs.putBuffer(f.content))
      : await storeRegular(hub.blobs, f.content);
  }
  const meta = await hub.repos.create(key, { private: false, author: namespace, initialFiles: {} });
  await hub.repos.commit(meta, {
    branch: "main",
    title: "Add sample model",
    description: "",
    author: namespace,
    ops: Object.entries(files).map(([path, entry]) => ({ kind: "add" as const, path, entry })),
  });
  return true;
}
