import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { folderSource } from "../../src/convert/checkpoint/folder-source.js";
import { readCheckpoint } from "../../src/convert/checkpoint/read-checkpoint.js";
import type { CheckpointSource } from "../../src/convert/checkpoint/source.js";
import { type GgufLayout, layOutGguf } from "../../src/convert/gguf/write-header.js";
import { type GgufPlan, planGguf } from "../../src/convert/gguf-plan.js";
import { ggufRange } from "../../src/convert/gguf-range.js";
import type { OutputType } from "../../src/convert/type-policy.js";
import { writeGguf } from "../../src/convert/write-gguf.js";
import { mulberry32 } from "../helpers/prng.js";
import { tempDir } from "../helpers/tmp.js";
import { LLAMA3_ROPE, makeTinyModel, tinyModel } from "./tiny-models.js";

/**
 * Any byte range of a converted GGUF, made on its own, equals the same bytes of the whole file:
 * that is what lets an upload read a converted file part by part and resume a broken read. The
 * ranges start and end in the header, mid-row, on tensor and padding edges, inside the Q/K tensors
 * (made whole) and the generated rope_freqs, for a float type and a block type (Q8_0: any block type lays rows out alike).
 */
async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

describe("ggufRange: a converted file's bytes by range", () => {
  let dir = "";
  let cleanup = async () => {};
  let source: CheckpointSource;

  before(async () => {
    ({ path: dir, cleanup } = await tempDir("gguf-range"));
    const model = join(dir, "tiny-llama");
    await makeTinyModel(
      model,
      tinyModel("llama3", {
        layers: 1,
        tie: false,
        seed: 5,
        ropeScaling: LLAMA3_ROPE,
      }),
    );
    source = await folderSource(model);
  });
  after(() => cleanup());

  for (const type of ["f16", "q8_0"] as OutputType[]) {
    test(`${type}: edges and 30 seeded ranges equal slices of the whole file`, async () => {
      const plan: GgufPlan = await planGguf(await readCheckpoint(source), { type });
      const layout: GgufLayout = layOutGguf(plan.metadata, plan.tensors);
      const parts: Uint8Array[] = [];
      await writeGguf(plan, layout, source, { write: async (b) => void parts.push(b.slice()) });
      const whole = Buffer.concat(parts);
      assert.equal(whole.length, layout.fileSize);
      assert.ok(
        plan.tensors.some((t) => t.permuteHeads),
        "a permuted tensor is covered",
      );
      assert.ok(
        plan.tensors.some((t) => "values" in t.from),
        "generated values are covered",
      );

      const edges = new Set<number>([0, layout.header.length]);
      for (const t of layout.tensors) {
        const at = layout.header.length + t.offset;
        for (const e of [at, at + t.byteSize, at + t.byteSize + t.padding]) edges.add(e);
      }
      const ranges: Array<[number, number]> = [[0, layout.fileSize - 1]];
      for (const e of edges)
        for (const [a, b] of [
          [e - 1, e],
          [e, e + 100],
          [e - 37, e + 5000],
        ] as Array<[number, number]>)
          if (a >= 0 && b < layout.fileSize && a <= b) ranges.push([a, b]);
      const random = mulberry32(type === "f16" ? 1 : 2);
      for (let i = 0; i < 30; i++) {
        const a = Math.floor(random() * layout.fileSize);
        const b = Math.min(layout.fileSize - 1, a + Math.floor(random() * 400_000));
        ranges.push([a, b]);
      }
      for (const [a, b] of ranges) {
        const got = await collect(ggufRange(plan, layout, source, a, b));
        assert.ok(got.equals(whole.subarray(a, b + 1)), `bytes ${a}-${b} (of ${layout.fileSize})`);
      }
      await assert.rejects(
        collect(ggufRange(plan, layout, source, 0, layout.fileSize)),
        /outside the \d+-byte file/,
      );
    });
  }
});
