import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveRefs } from "../../src/cli/resolve-refs.js";
import { HubferryError } from "../../src/core/errors.js";
import { formatRef, includeFromPath, parseRepoRef, revisionOf, wholeRepo } from "../../src/core/repo-ref.js";

describe("repo references as users type them", () => {
  const cases: [string, string][] = [
    ["hf:Org/name", "hf:Org/name"],
    ["ms:Org/name", "ms:Org/name"],
    ["hf:datasets/Org/name", "hf:datasets/Org/name"],
    ["hf:spaces/Org/name", "hf:spaces/Org/name"],
    ["https://huggingface.co/Org/name", "hf:Org/name"],
    ["https://huggingface.co/datasets/Org/name/tree/main", "hf:datasets/Org/name"],
    ["https://huggingface.co/spaces/Org/name", "hf:spaces/Org/name"],
    ["https://modelscope.cn/models/Org/name", "ms:Org/name"],
    ["https://www.modelscope.cn/datasets/Org/name", "ms:datasets/Org/name"],
    ["https://modelscope.ai/models/Org/name/files", "ms:Org/name"],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected}`, () => assert.equal(formatRef(parseRepoRef(input)), expected));
  }

  it("refuses what is not a repo, naming the problem", () => {
    for (const bad of [
      "hf:noslash",
      "hf:a/b/c/d",
      "hf:../x",
      "https://example.com/a/b",
      "https://modelscope.cn/a/b",
      "hf:a--b/c",
    ]) {
      assert.throws(
        () => parseRepoRef(bad),
        (e: unknown) => e instanceof HubferryError && e.code === "BAD_INPUT",
        bad,
      );
    }
    assert.throws(() => parseRepoRef("Org/name"), /does not say which hub/);
  });
});

describe("migrate's source and destination rules", () => {
  it("a bare id with --to: the source is the other hub, the destination the same id", () => {
    const { source, destination } = resolveRefs("Org/name", undefined, { to: "ms" });
    assert.deepEqual([formatRef(source), formatRef(destination)], ["hf:Org/name", "ms:Org/name"]);
  });

  it("no destination: the same id and type on the other hub", () => {
    const { destination } = resolveRefs("ms:datasets/Org/d", undefined, {});
    assert.equal(formatRef(destination), "hf:datasets/Org/d");
  });

  it("--dest overrides the destination argument; a bare --dest is on the other hub", () => {
    const { destination } = resolveRefs("hf:Org/m", "ms:Other/x", { dest: "Mine/m2" });
    assert.equal(formatRef(destination), "ms:Mine/m2");
  });

  it("same hub: another name or owner is a copy; the very same repo is refused", () => {
    const { destination } = resolveRefs("hf:Org/m", "hf:Org/m2", {});
    assert.equal(formatRef(destination), "hf:Org/m2");
    assert.equal(formatRef(resolveRefs("ms:Org/m", "ms:Other/m", {}).destination), "ms:Other/m");
    assert.throws(() => resolveRefs("hf:Org/m", "hf:org/M", {}), /the same repo \(hf:Org\/m\)/);
  });

  it("refuses a --to that names the source's hub, and unknown types", () => {
    assert.throws(() => resolveRefs("hf:Org/m", undefined, { to: "hf" }), /already on hf/);
    assert.throws(() => resolveRefs("hf:Org/m", undefined, { repoType: "kernel" }), /--repo-type/);
    assert.throws(() => resolveRefs("hf:Org/m", undefined, { to: "github" }), /--to must be hf or ms/);
  });
});

describe("what a URL says past the repo id is used or refused, never dropped", () => {
  it("takes the revision and path of /tree, /blob, /resolve and ModelScope /file/view", () => {
    const t = parseRepoRef("https://huggingface.co/alice/big/tree/nope");
    assert.equal(t.revision, "nope");
    assert.equal(t.path, undefined);
    const d = parseRepoRef("https://huggingface.co/datasets/alice/d/tree/v1/data/train");
    assert.deepEqual(
      [d.type, d.id, d.revision, d.path],
      ["dataset", "alice/d", "v1", { value: "data/train", folder: true }],
    );
    const b = parseRepoRef("https://huggingface.co/alice/m/blob/refs%2Fpr%2F1/config.json");
    assert.deepEqual([b.revision, b.path], ["refs/pr/1", { value: "config.json", folder: false }]);
    const m = parseRepoRef("https://modelscope.cn/models/alice/m/file/view/master/a/b.json");
    assert.deepEqual([m.hub, m.revision, m.path?.value], ["ms", "master", "a/b.json"]);
    assert.equal(parseRepoRef("https://modelscope.cn/models/alice/m/files").revision, undefined);
  });
  it("refuses a tail it cannot read, and a URL revision that --revision contradicts", () => {
    assert.throws(
      () => parseRepoRef("https://huggingface.co/alice/m/edit/main/x"),
      /cannot tell what the part/,
    );
    const ref = parseRepoRef("https://huggingface.co/alice/m/tree/v1");
    assert.equal(revisionOf(ref, undefined), "v1");
    assert.equal(revisionOf(ref, "v1"), "v1");
    assert.throws(() => revisionOf(ref, "main"), /names revision "v1" but --revision says "main"/);
    assert.throws(() => wholeRepo(ref, "x", "the destination"), /cannot use/);
    assert.equal(includeFromPath(parseRepoRef("https://huggingface.co/alice/m/tree/v1/sub")), "sub/**");
  });
});
