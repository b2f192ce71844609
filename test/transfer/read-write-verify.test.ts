import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HubferryError } from "../../src/core/errors.js";
import { parseRepoRef } from "../../src/core/repo-ref.js";
import { HfHub } from "../../src/hubs/hf/hf-hub.js";
import { localFolderDestination, localFolderSource } from "../../src/hubs/local/local-folder.js";
import { executePlan } from "../../src/transfer/execute.js";
import { planTransfer } from "../../src/transfer/plan.js";
import { readRangeToBuffer, resumableRead } from "../../src/transfer/resumable-read.js";
import type { TransferDestination, TransferSource } from "../../src/transfer/types.js";
import { verifyDestination } from "../../src/transfer/verify.js";
import { pseudoRandom, randomName, writeFixture } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The engine's reading, writing and checking against a real hub over HTTP and real folders:
 * resumed ranged reads over broken connections, a local folder that never holds a bad file,
 * sync deletions, and the final verification that trusts only what the destination lists.
 */
let hub: TestHub;
let work: { path: string; cleanup: () => Promise<void> };
let src: TransferSource;
const big = pseudoRandom(11 * 1024 * 1024 + 3, 31);
const small = pseudoRandom(300_000, 32);

before(async () => {
  hub = await startTestHub();
  work = await tempDir("rwv");
  const hf = new HfHub(hub.url, USERS.alice.token);
  const ref = parseRepoRef(`hf:alice/${randomName("rwv")}`);
  await hf.createRepo(ref, { private: false });
  const dir = join(work.path, "seed");
  await writeFixture(dir, { files: { "big.bin": big, "small.bin": small, "a.txt": Buffer.from("a\n") } });
  await copy(await localFolderSource(dir), hf.destination(ref));
  src = await hf.source(ref);
});
after(async () => {
  await hub?.stop();
  await work?.cleanup();
});

async function copy(from: TransferSource, to: TransferDestination, opts: { deleteExtra?: boolean } = {}) {
  const plan = await planTransfer(from, to);
  const result = await executePlan(plan, from, to, {
    signal: new AbortController().signal,
    events: () => {},
    commitMessage: () => "test",
    deleteExtra: opts.deleteExtra,
  });
  return { plan, result };
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

const opts = (extra: Partial<Parameters<typeof resumableRead>[4]> = {}) => ({
  signal: new AbortController().signal,
  ...extra,
});

describe("resumableRead over real HTTP", () => {
  it("a connection reset mid-body is resumed from the last byte: the bytes are exact, the retry is reported", async () => {
    await hub.fault({ route: "hf.object", kind: "reset", afterBytes: 100_000, times: 1 });
    const retries: string[] = [];
    const got = await collect(
      resumableRead(
        src,
        "small.bin",
        0,
        small.length - 1,
        opts({ onRetry: (_n, _w, reason) => retries.push(reason) }),
      ),
    );
    assert.equal(got.length, small.length);
    assert.ok(got.equals(small));
    assert.equal(retries.length, 1);
  });

  it("a body that stops short is resumed as well; small ranges are stitched into one exact stream", async () => {
    await hub.fault({ route: "hf.object", kind: "truncate", afterBytes: 1000, times: 1 });
    const retries: string[] = [];
    const got = await readRangeToBuffer(
      src,
      "small.bin",
      5,
      250_004,
      opts({ rangeSize: 64 * 1024, onRetry: (_n, _w, reason) => retries.push(reason) }),
    );
    assert.ok(got.equals(small.subarray(5, 250_005)));
    assert.equal(retries.length, 1);
  });

  it("a source that keeps failing gives up after its attempts with a NETWORK error naming the file and byte", async () => {
    // 503 with Retry-After: 0, so the HTTP client's own retries are instant; no byte ever arrives.
    await hub.fault({ route: "hf.object", kind: "status", status: 503, retryAfter: 0, times: 1000 });
    try {
      const err = await collect(
        resumableRead(src, "small.bin", 0, small.length - 1, opts({ attempts: 2 })),
      ).then(
        () => assert.fail("expected a failure"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof HubferryError);
      assert.equal(err.code, "NETWORK");
      assert.match(err.message, /^small\.bin: reading from the source failed 2 times at byte 0: /);
      assert.match(err.hint ?? "", /re-run/);
    } finally {
      await hub.clearFaults();
    }
  });

  it("a missing file is not retried: the hub's answer comes through at once", async () => {
    const retries: number[] = [];
    await assert.rejects(
      collect(resumableRead(src, "nope.bin", 0, 9, opts({ onRetry: (n) => retries.push(n) }))),
      (e: unknown) => e instanceof HubferryError && e.code !== "NETWORK",
    );
    assert.deepEqual(retries, []);
  });

  it("a cancelled read stops with CANCELLED, not a retry", async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(collect(resumableRead(src, "small.bin", 0, 99, { signal: ac.signal })), {
      code: "CANCELLED",
    });
  });
});

describe("a local folder as destination", () => {
  it("a file whose bytes never match is not written, and no staged piece of it is left behind", async () => {
    const dir = join(work.path, "bad");
    await hub.fault({ route: "hf.object", kind: "corrupt", afterBytes: 2_000_000, times: 100 });
    try {
      const plan = await planTransfer(src, localFolderDestination(dir), { include: ["big.bin"] });
      await assert.rejects(
        executePlan(plan, src, localFolderDestination(dir), {
          signal: new AbortController().signal,
          events: () => {},
          commitMessage: () => "test",
          fileAttempts: 2,
        }),
        { code: "INTEGRITY" },
      );
    } finally {
      await hub.clearFaults();
    }
    assert.equal(existsSync(join(dir, "big.bin")), false);
    const staged = existsSync(join(dir, ".hubferry-staging"))
      ? await readdir(join(dir, ".hubferry-staging"))
      : [];
    assert.deepEqual(staged, []);
  });

  it("sync into a folder deletes what the source does not have and keeps the rest byte for byte", async () => {
    const dir = join(work.path, "sync");
    await copy(src, localFolderDestination(dir));
    await writeFile(join(dir, "extra.txt"), "not in the source\n");
    const { plan, result } = await copy(src, localFolderDestination(dir), { deleteExtra: true });
    assert.deepEqual(plan.delete, ["extra.txt"]);
    assert.equal(result.deleted, 1);
    assert.equal(existsSync(join(dir, "extra.txt")), false);
    assert.ok((await readFile(join(dir, "big.bin"))).equals(big));
    assert.ok((await readFile(join(dir, "small.bin"))).equals(small));
  });
});

describe("verifyDestination", () => {
  it("after a copy, what the destination really lists is checked: missing, resized and changed files are named", async () => {
    const dir = join(work.path, "verify");
    const { plan } = await copy(src, localFolderDestination(dir));
    const copied = new Map(plan.copy.map((f) => [f.path, f.sha256 ?? ""]));
    assert.deepEqual(await verifyDestination(plan, localFolderDestination(dir), copied), {
      ok: true,
      problems: [],
    });

    await rm(join(dir, "a.txt"));
    await writeFile(join(dir, "small.bin"), small.subarray(1));
    const changed = Buffer.from(big);
    changed[12345] = (changed[12345] ?? 0) ^ 1;
    await writeFile(join(dir, "big.bin"), changed);
    await writeFile(join(dir, "gone.txt"), "deleted?\n");
    const check = await verifyDestination(plan, localFolderDestination(dir), copied, ["gone.txt"]);
    assert.equal(check.ok, false);
    assert.deepEqual(
      check.problems.sort(),
      [
        "a.txt: missing on the destination",
        "big.bin: sha256 differs on the destination",
        `small.bin: ${small.length - 1} bytes on the destination, ${small.length} at the source`,
        "small.bin: sha256 differs on the destination",
        "gone.txt: still on the destination after its deletion",
      ].sort(),
    );
  });
});
