import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compilePattern, pathSelector } from "../../src/core/path-filter.js";
import { runPython } from "../helpers/python.js";

/** --include/--exclude select what huggingface_hub's filter_repo_objects selects, path for path. */
const PATHS = [
  "README.md",
  "config.json",
  "model.safetensors",
  "keep/a.json",
  "keep/b.bin",
  "keep/sub/c.json",
  "keeper/d.json",
  "top.bin",
  "data/train-00000-of-00002.parquet",
  "data/test-00000-of-00001.parquet",
  ".gitattributes",
  "weird[1].txt",
  "a]b.txt",
  "x^y.txt",
  "dot.dir/file.md",
];

const CASES: { include?: string[]; exclude?: string[] }[] = [
  { include: ["*.json"] },
  { exclude: ["*.bin"] },
  { include: ["keep/*"], exclude: ["*.bin"] },
  { include: ["keep/"] },
  { include: ["**/*.json"] },
  { include: ["data/train-*"] },
  { include: ["*.safetensors", "*.json"], exclude: ["keep/*"] },
  { include: ["?op.bin"] },
  { include: ["[kt]*"] },
  { include: ["[!kt]*"] },
  { include: ["weird[[]1].txt"] },
  { include: ["a[]]b.txt"] },
  { include: ["x[\\^]y.txt", "x[^]y.txt"] },
  { include: ["unclosed[.txt", "weird[1"] },
  { include: ["keep\\sub\\*"] },
  { include: [".*"] },
  { include: ["*"], exclude: ["*"] },
  { include: ["dot.dir/*.md", "dot?dir/*"] },
  { include: ["(a|b)*", "+.txt", "{a,b}*"] },
];

describe("path filters", () => {
  it("keep exactly what huggingface_hub's filter_repo_objects keeps", async () => {
    const ours = CASES.map((c) => PATHS.filter(pathSelector(c)));
    const py = await runPython<{ ok: boolean; kept: string[][] }>(
      "hf",
      "hf_filter.py",
      CASES.map((c) => ({ ...c, paths: PATHS })),
      {},
    );
    assert.equal(py.ok, true);
    for (let i = 0; i < CASES.length; i++)
      assert.deepEqual(ours[i], py.kept[i], `case ${JSON.stringify(CASES[i])}`);
    // The cases mean something: `*` crosses folders, where a shell glob's would stop.
    assert.deepEqual(ours[0], ["config.json", "keep/a.json", "keep/sub/c.json", "keeper/d.json"]);
  });

  it("a set that cannot be a set is bad input naming the pattern", () => {
    assert.throws(() => compilePattern("[z-a].txt"), /the pattern '\[z-a\]\.txt' is not valid/);
  });
});
