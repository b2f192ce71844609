import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { localFolderDestination, localFolderSource } from "../../src/hubs/local/local-folder.js";
import type { TransferEvent } from "../../src/transfer/events.js";
import { executePlan } from "../../src/transfer/execute.js";
import { planTransfer } from "../../src/transfer/plan.js";
import type { TransferDestination, TransferSource } from "../../src/transfer/types.js";
import { pseudoRandom, readTree, treeDiff, writeFixture } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * Commit batches are pipelined: batch n+1 is copied while batch n's commit is in flight, commits
 * stay one at a time and in order, and a failed commit stops the copying. Real folders on both
 * sides; the destination's commit is held open by the test to see what runs meanwhile.
 */
let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await tempDir("pipelined");
});
after(async () => {
  await work?.cleanup();
});

/** Six files, two per batch with `batchFiles: 2`, in the plan's (path) order. */
const files = Object.fromEntries(
  ["a.bin", "b.bin", "c.bin", "d.bin", "e.bin", "f.bin"].map((p, i) => [p, pseudoRandom(4096 + i, 300 + i)]),
);
const batchOf = (path: string) => Math.floor(Object.keys(files).indexOf(path) / 2) + 1;

interface Watch {
  source: TransferSource;
  dest: TransferDestination;
  /** Which batch each read belonged to, and which commit was in flight then. */
  readsDuringCommit: { batch: number; committing: number }[];
  maxConcurrentCommits: number;
  messages: string[];
}

/**
 * A source and destination that record what happens while a commit is in flight. The commit of
 * batch `hold` waits until the next batch's first read has started (or 5 s have passed, so a
 * run that does not pipeline still ends), and `fail` makes that batch's commit throw.
 */
async function watched(dir: string, opts: { hold?: number; fail?: number } = {}): Promise<Watch> {
  const src = await localFolderSource(join(dir, "src"));
  const inner = localFolderDestination(join(dir, "dest"));
  let committing = 0;
  let inFlight = 0;
  let nextBatchRead: () => void = () => {};
  const w: Watch = {
    readsDuringCommit: [],
    maxConcurrentCommits: 0,
    messages: [],
    source: {
      ...src,
      label: src.label,
      revision: src.revision,
      list: () => src.list(),
      read: (path, start, end, signal) => {
        if (committing) w.readsDuringCommit.push({ batch: batchOf(path), committing });
        if (committing && batchOf(path) === committing + 1) nextBatchRead();
        return src.read(path, start, end, signal);
      },
    },
    dest: {
      ...inner,
      label: inner.label,
      url: inner.url,
      list: () => inner.list(),
      prepare: (f, signal) => inner.prepare(f, signal),
      commit: async (changes, message, signal, onSent) => {
        const n = w.messages.push(message);
        inFlight++;
        w.maxConcurrentCommits = Math.max(w.maxConcurrentCommits, inFlight);
        committing = n;
        try {
          if (n === opts.hold) {
            const read = new Promise<void>((resolve) => {
              nextBatchRead = resolve;
            });
            await Promise.race([read, new Promise((r) => setTimeout(r, 5000))]);
          }
          if (n === opts.fail) throw new Error("the hub refused the commit");
          return await inner.commit(changes, message, signal, onSent);
        } finally {
          inFlight--;
          committing = 0;
        }
      },
    },
  };
  return w;
}

async function run(w: Watch) {
  const events: TransferEvent[] = [];
  const plan = await planTransfer(w.source, w.dest);
  const result = executePlan(plan, w.source, w.dest, {
    signal: new AbortController().signal,
    events: (e) => events.push(e),
    batchFiles: 2,
    concurrency: 1,
    commitMessage: (i, n) => `batch ${i}/${n}`,
  });
  return { result, events };
}

describe("pipelined commit batches", () => {
  it("the next batch is read while a commit is in flight; commits stay one at a time, in order", async () => {
    const dir = join(work.path, "ok");
    await writeFixture(join(dir, "src"), { files });
    const w = await watched(dir, { hold: 1 });
    const { result, events } = await run(w);
    const done = await result;
    assert.ok(
      w.readsDuringCommit.some((r) => r.committing === 1 && r.batch === 2),
      `batch 2 was read during commit 1: ${JSON.stringify(w.readsDuringCommit)}`,
    );
    assert.equal(w.maxConcurrentCommits, 1, "never two commits at once");
    assert.deepEqual(w.messages, ["batch 1/3", "batch 2/3", "batch 3/3"]);
    assert.deepEqual(
      events.filter((e) => e.event === "commit").map((e) => (e as { message: string }).message),
      w.messages,
    );
    assert.equal(done.files, 6);
    assert.equal(done.commits.length, 3);
    assert.deepEqual(treeDiff(files, await readTree(join(dir, "dest"))), []);
  });

  it("a failed commit stops the copying and is the error reported; earlier commits are kept", async () => {
    const dir = join(work.path, "fail");
    await writeFixture(join(dir, "src"), { files });
    const w = await watched(dir, { fail: 2 });
    const { result, events } = await run(w);
    await assert.rejects(result, /the hub refused the commit/);
    assert.deepEqual(w.messages, ["batch 1/3", "batch 2/3"], "no commit after the failed one");
    assert.equal(events.filter((e) => e.event === "commit").length, 1);
    const staging = (p: string) => p.startsWith(".hubferry-staging/");
    const kept = await readTree(join(dir, "dest"), staging);
    assert.deepEqual(Object.keys(kept).sort(), ["a.bin", "b.bin"]);
    // The re-run clears what the failed run had staged, and finishes.
    const again = await run(await watched(dir));
    assert.equal((await again.result).files, 4);
    assert.deepEqual(treeDiff(files, await readTree(join(dir, "dest"))), []);
    assert.equal(existsSync(join(dir, "dest", ".hubferry-staging")), false);
  });
});
