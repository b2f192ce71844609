import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseRepoRef } from "../../src/core/repo-ref.js";
import { localFolderDestination, localFolderSource } from "../../src/hubs/local/local-folder.js";
import { MsHub } from "../../src/hubs/ms/ms-hub.js";
import type { TransferEvent } from "../../src/transfer/events.js";
import { executePlan } from "../../src/transfer/execute.js";
import { planTransfer } from "../../src/transfer/plan.js";
import type { TransferDestination, TransferSource } from "../../src/transfer/types.js";
import { randomName, readTree, sampleFixture, treeDiff, writeFixture } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { tempDir } from "../helpers/tmp.js";

/** The engine with the local-folder backend on one side and a real hub (over HTTP) on the other. */
let ms: TestHub;
let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  ms = await startTestHub();
  work = await tempDir("local");
});
after(async () => {
  await ms?.stop();
  await work?.cleanup();
});

async function copy(src: TransferSource, dest: TransferDestination) {
  const events: TransferEvent[] = [];
  const plan = await planTransfer(src, dest);
  const result = await executePlan(plan, src, dest, {
    signal: new AbortController().signal,
    events: (e) => events.push(e),
    commitMessage: () => "test",
  });
  return { plan, result, events };
}

describe("local folders as source and destination", () => {
  it("folder -> ModelScope hub -> another folder: byte-identical; a second pull is a no-op; no staging left", async () => {
    const fixture = sampleFixture({ seed: 80, multipartBytes: 1_500_000 });
    const srcDir = join(work.path, "src");
    await writeFixture(srcDir, fixture);
    const hub = new MsHub(ms.url, USERS.alice.msToken);
    const ref = parseRepoRef(`ms:alice/${randomName("local")}`);
    await hub.createRepo(ref, { private: false });
    const up = await copy(await localFolderSource(srcDir), hub.destination(ref));
    assert.equal(up.result.files, Object.keys(fixture.files).length);
    const destDir = join(work.path, "dest");
    const down = await copy(await hub.source(ref), localFolderDestination(destDir));
    assert.ok(down.result.files >= Object.keys(fixture.files).length);
    assert.deepEqual(treeDiff(fixture.files, await readTree(destDir, (p) => p === ".gitattributes")), []);
    assert.equal(existsSync(join(destDir, ".hubferry-staging")), false);
    const again = await copy(await hub.source(ref), localFolderDestination(destDir));
    assert.equal(again.plan.copy.length, 0);
    assert.equal(again.result.bytes, 0);
  });

  it("a source path that would escape the folder is refused by the plan, never written", async () => {
    const evil: TransferSource = {
      label: "evil",
      revision: "x",
      list: async () => [
        { path: "../outside.txt", size: 1, sha256: "0".repeat(64) },
        { path: "/etc/abs.txt", size: 1, sha256: "0".repeat(64) },
        { path: "ok.txt", size: 2, sha256: "ab".repeat(32) },
      ],
      read: async () => (async function* () {})(),
    };
    const plan = await planTransfer(evil, localFolderDestination(join(work.path, "evil")));
    assert.deepEqual(plan.refused.map((r) => r.path).sort(), ["../outside.txt", "/etc/abs.txt"]);
    assert.deepEqual(
      plan.copy.map((f) => f.path),
      ["ok.txt"],
    );
  });
});
