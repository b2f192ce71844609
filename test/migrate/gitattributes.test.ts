import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type CliRun, eventsOf, runCli } from "../helpers/cli.js";
import { pseudoRandom, randomName } from "../helpers/fixtures.js";
import { type HubPair, startHubPair } from "../helpers/local-hub.js";
import { type ReadBack, readBack } from "../helpers/read-back.js";

/**
 * `.gitattributes` is the destination hub's: it decides what is LFS and rewrites the file to
 * match. A sync copies the source's only where the destination has none, and never fights a
 * destination whose own differs: it says so and moves nothing.
 */
let pair: HubPair;
let back: ReadBack;
before(async () => {
  pair = await startHubPair("gitattributes");
  back = readBack({ hf: pair.hf.url, ms: pair.ms.url }, pair.work.path);
});
after(async () => {
  await pair?.stop();
});

const ok = (run: CliRun) => {
  assert.equal(run.code, 0, `${run.stderr}\n${run.stdout.slice(-2000)}`);
  return run;
};
const plan = (run: CliRun) => eventsOf(run, "plan")[0] as { copy: { path: string }[]; notes: string[] };

describe("the destination's .gitattributes", () => {
  it("ModelScope -> HF: a file HF keeps in LFS by size changes HF's .gitattributes; re-runs leave it and move nothing", async () => {
    const id = `alice/${randomName("attrs")}`;
    // 11 MB with a suffix no .gitattributes pattern names: the HF hub puts it in LFS by its size
    // and adds a line for it to the repo's .gitattributes.
    const files = { "README.md": Buffer.from("# attrs\n"), "data.weird": pseudoRandom(11 * 1024 * 1024, 5) };
    await back.seedMs(id, "model", { files });
    const first = ok(await runCli(["migrate", `ms:${id}`, `hf:${id}`, "--yes", "--json"], pair.env()));
    assert.ok(plan(first).copy.some((f) => f.path === "data.weird"));
    const attrs = await (await fetch(`${pair.hf.url}/${id}/raw/main/.gitattributes`)).text();
    assert.match(
      attrs,
      /data\.weird filter=lfs/,
      "the HF hub keeps its .gitattributes to match its LFS files",
    );
    for (let i = 0; i < 2; i++) {
      const again = ok(await runCli(["sync", `ms:${id}`, `hf:${id}`, "--json"], pair.env()));
      assert.deepEqual(
        plan(again).copy,
        [],
        "nothing to copy: the destination's .gitattributes is not fought",
      );
      assert.ok(
        plan(again).notes.some((n) =>
          /^\.gitattributes differs from the source's: the destination's own is kept/.test(n),
        ),
        plan(again).notes.join("\n"),
      );
      assert.equal(eventsOf(again, "commit").length, 0);
    }
    await back.assertOnHf(id, "model", { files });
  });
});
