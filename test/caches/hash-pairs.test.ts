import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openHashPairs } from "../../src/caches/hash-pairs.js";
import { hashesOf } from "../../src/transfer/hashing.js";
import { eventsOf } from "../helpers/cli.js";
import { randomName } from "../helpers/fixtures.js";
import { type HubPair, startHubPair } from "../helpers/local-hub.js";
import { copied, ok, pairCli } from "../helpers/pair-cli.js";
import { type ReadBack, readBack } from "../helpers/read-back.js";

/**
 * The git-blob-id / sha256 pairs hubferry learns from bytes it hashed: a no-op re-run between a
 * hub that lists small files by git blob id (HF) and one that lists them by sha256 (ModelScope)
 * then needs no read of them. The memo on its own, then through the CLI against two local hubs.
 */
let pair: HubPair;
let back: ReadBack;
before(async () => {
  pair = await startHubPair("hash-pairs");
  back = readBack({ hf: pair.hf.url, ms: pair.ms.url }, pair.work.path);
});
after(async () => {
  await pair?.stop();
});

const pairOf = (text: string) => {
  const data = Buffer.from(text);
  return { ...hashesOf(data), size: data.byteLength };
};

describe("the hash-pair memo", () => {
  it("finds a pair by either id (and the size), survives a reopen, and ignores malformed lines", async () => {
    const file = join(pair.work.path, `memo-${randomName("m")}`, "hash-pairs.log");
    const a = pairOf("alpha\n");
    const memo = await openHashPairs(file);
    assert.equal(memo.lookup({ size: a.size, gitOid: a.gitOid }), undefined);
    memo.add(a);
    await memo.save();
    await writeFile(
      file,
      `${await readFile(file, "utf8")}not a pair\n${"g".repeat(40)} ${"0".repeat(64)} 3\n`,
    );
    const again = await openHashPairs(file);
    assert.deepEqual(again.lookup({ size: a.size, gitOid: a.gitOid }), a);
    assert.deepEqual(again.lookup({ size: a.size, sha256: a.sha256 }), a);
    assert.equal(
      again.lookup({ size: a.size + 1, sha256: a.sha256 }),
      undefined,
      "another size is another file",
    );
    assert.equal(
      again.lookup({ size: 3, gitOid: "g".repeat(40) }),
      undefined,
      "a malformed line is not a pair",
    );
  });

  it("a missing or unreadable log is an empty memo; saving nothing writes nothing", async () => {
    const file = join(pair.work.path, `memo-${randomName("m")}`, "hash-pairs.log");
    const memo = await openHashPairs(file);
    await memo.save();
    assert.equal(existsSync(file), false);
    const dirAsFile = join(pair.work.path, `memo-${randomName("m")}`);
    await writeFile(dirAsFile, "a file where the folder should be");
    const broken = await openHashPairs(join(dirAsFile, "hash-pairs.log"));
    broken.add(pairOf("beta\n"));
    await broken.save(); // cannot be written: costs reads later, never an error
    assert.equal((await stat(dirAsFile)).isFile(), true);
  });
});

describe("a no-op re-run HF -> ModelScope", () => {
  it("reads no small file once the copy learnt their pairs; from an empty cache it reads them", async () => {
    const id = `alice/${randomName("pairs")}`;
    const files: Record<string, Buffer> = { "README.md": Buffer.from("---\nlicense: mit\n---\n# pairs\n") };
    for (let i = 0; i < 30; i++) files[`data/item-${i}.json`] = Buffer.from(`{"item": ${i}}\n`);
    await back.seedHf(id, "model", { files });
    const cache = join(pair.work.path, `cache-${randomName("c")}`);
    const env = { HUBFERRY_CACHE: cache };
    const cli = (args: string[], extra = env) =>
      pairCli({ ...pair, env: (more) => pair.env({ ...extra, ...more }) }, args);
    const args = ["migrate", `hf:${id}`, `ms:${id}`, "--yes"];
    ok(await cli(args));
    await back.assertOnMs(id, "model", { files });
    const reads = async (run: () => Promise<unknown>) => {
      const before = (await pair.hf.stats())["hf.resolve"] ?? 0;
      await run();
      return ((await pair.hf.stats())["hf.resolve"] ?? 0) - before;
    };
    let warm: Awaited<ReturnType<typeof cli>> | undefined;
    assert.equal(
      await reads(async () => {
        warm = ok(await cli(args));
      }),
      0,
      "no small file read",
    );
    assert.deepEqual(copied(warm!), []);
    assert.equal(eventsOf(warm!, "summary").length, 1);
    const coldCache = { HUBFERRY_CACHE: join(pair.work.path, `cold-${randomName("c")}`) };
    assert.ok((await reads(async () => ok(await cli(args, coldCache)))) >= 30, "each file read to compare");
    // A file changed upstream is still seen as changed: its new id has no pair.
    await back.seedHf(id, "model", { files: { "data/item-0.json": Buffer.from('{"item": "changed"}\n') } });
    assert.deepEqual(copied(ok(await cli(args))), ["data/item-0.json"]);
  });
});
