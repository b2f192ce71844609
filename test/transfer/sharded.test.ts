import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HubferryError } from "../../src/core/errors.js";
import { localFolderDestination, localFolderSource } from "../../src/hubs/local/local-folder.js";
import { dealFiles } from "../../src/transfer/deal.js";
import type { TransferEvent } from "../../src/transfer/events.js";
import { uploadWithoutCommit } from "../../src/transfer/execute.js";
import { planTransfer } from "../../src/transfer/plan.js";
import { executeSharded, type LaunchWorker } from "../../src/transfer/sharded.js";
import type { TransferDestination, TransferSource } from "../../src/transfer/types.js";
import { pseudoRandom, readTree, treeDiff, writeFixture } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The coordinator of a sharded run, in process: real folders as source and destination, and
 * workers that are the engine's own upload-only copy (or misbehave on purpose), so that every
 * way a worker can fail is met: a wrong hash, a silent end, an error no other worker would
 * survive, a failed commit, Ctrl-C.
 */
const files = {
  "a.bin": pseudoRandom(300_000, 1),
  "b.bin": pseudoRandom(200_000, 2),
  "c.txt": Buffer.from("small text, sent inline\n"),
  "d.bin": pseudoRandom(100_000, 3),
};
let work: { path: string; cleanup: () => Promise<void> };
let src: TransferSource;
let n = 0;
before(async () => {
  work = await tempDir("sharded");
  await writeFixture(`${work.path}/src`, { files });
  src = await localFolderSource(`${work.path}/src`);
});
after(async () => {
  await work?.cleanup();
});

/** A fresh destination folder that takes `.txt` files inline, as hubs take small text files. */
function destination(): { dir: string; dest: TransferDestination } {
  const dir = `${work.path}/dest-${++n}`;
  const folder = localFolderDestination(dir);
  return {
    dir,
    dest: {
      ...folder,
      prepare: async (reqs, signal) => {
        const methods = await folder.prepare(reqs, signal);
        return methods.map((m, i) => (reqs[i]!.path.endsWith(".txt") ? { kind: "inline" } : m));
      },
    },
  };
}

const realWorker =
  (dest: TransferDestination): LaunchWorker =>
  async (share, events, signal) => {
    await uploadWithoutCommit(share.files, src, dest, { signal, events });
  };

async function run(
  dest: TransferDestination,
  launch: LaunchWorker,
  opts: { signal?: AbortSignal; workers?: number } = {},
) {
  const plan = await planTransfer(src, dest);
  const events: TransferEvent[] = [];
  const promise = executeSharded(plan, src, dest, {
    signal: opts.signal ?? new AbortController().signal,
    events: (e) => events.push(e),
    commitMessage: (i, total) => `batch ${i}/${total}`,
    shares: dealFiles(plan.copy, opts.workers ?? 2),
    launch,
  });
  return { plan, events, promise };
}

const workerEvents = (events: TransferEvent[]) =>
  events.filter((e): e is Extract<TransferEvent, { event: "worker" }> => e.event === "worker");

describe("executeSharded: the coordinator", () => {
  it("workers upload, the coordinator commits and carries inline files itself; the folder is byte-identical", async () => {
    const { dir, dest } = destination();
    const { events, promise } = await run(dest, realWorker(dest));
    const result = await promise;
    assert.equal(result.files, 4);
    assert.deepEqual(treeDiff(files, await readTree(dir)), []);
    const done = events.filter((e) => e.event === "file_done");
    assert.deepEqual(
      done.find((e) => e.path === "c.txt"),
      {
        event: "file_done",
        path: "c.txt",
        size: files["c.txt"].length,
        sha256: done.find((e) => e.path === "c.txt")!.sha256,
        method: "inline",
      },
    );
    assert.ok(done.filter((e) => e.path !== "c.txt").every((e) => e.worker === 1 || e.worker === 2));
    assert.equal(events.filter((e) => e.event === "commit").length, 1);
  });

  it("a file reported with a wrong hash is not taken: its worker counts as failed and a new one sends it", async () => {
    const { dir, dest } = destination();
    const honest = realWorker(dest);
    const { events, promise } = await run(dest, async (share, ev, signal) => {
      if (share.worker !== 1) return honest(share, ev, signal);
      // Claims its files done with a made-up hash, uploading nothing.
      for (const f of share.files)
        ev({ event: "file_done", path: f.path, size: f.size, sha256: "0".repeat(64), method: "single" });
    });
    await promise;
    assert.deepEqual(treeDiff(files, await readTree(dir)), []);
    const failed = workerEvents(events).find((e) => e.state === "failed")!;
    assert.equal(failed.worker, 1);
    assert.equal(failed.code, "PROTOCOL");
    assert.match(
      failed.reason!,
      /ended without reporting .*: worker 1 reported \S+ with a size or hash the source does not publish/,
    );
    assert.equal(failed.next, "handed to worker 3");
  });

  it("an error another worker would meet too (a refused token) stops the others and fails with its code", async () => {
    const { dest } = destination();
    let otherStopped = false;
    const { events, promise } = await run(dest, async (share, _ev, signal) => {
      if (share.worker === 1) throw new HubferryError("AUTH_INVALID", "the token was refused");
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      otherStopped = true;
      throw new HubferryError("CANCELLED", "stopped");
    });
    await assert.rejects(promise, (err: HubferryError) => {
      assert.equal(err.code, "AUTH_INVALID");
      assert.match(err.message, /1 worker\(s\) failed: the token was refused/);
      assert.match(err.hint ?? "", /re-run/);
      return true;
    });
    assert.ok(otherStopped, "the other worker was stopped");
    const failed = workerEvents(events).filter((e) => e.state === "failed");
    assert.equal(failed.length, 1);
    assert.match(failed[0]!.next!, /left for a re-run/);
  });

  it("a worker that keeps failing: its files are handed on once, then left for a re-run; what was verified is committed", async () => {
    const { dir, dest } = destination();
    const honest = realWorker(dest);
    const { events, promise } = await run(dest, async (share, ev, signal) => {
      if (share.files.some((f) => f.path === "a.bin")) throw new HubferryError("NETWORK", "connection reset");
      return honest(share, ev, signal);
    });
    await assert.rejects(promise, /connection reset/);
    const states = workerEvents(events).map((e) => `${e.worker}:${e.state}`);
    assert.ok(states.includes("3:started") && states.includes("3:failed"), states.join(" "));
    const landed = await readTree(dir);
    assert.equal(landed["a.bin"], undefined);
    assert.ok(Object.keys(landed).length > 0, "the other worker's files were committed");
    for (const [p, b] of Object.entries(landed)) assert.ok(b.equals(files[p as keyof typeof files]));
  });

  it("a failed commit stops the workers and is the run's error", async () => {
    const { dest } = destination();
    const broken: TransferDestination = {
      ...dest,
      commit: async () => {
        throw new HubferryError("SERVER", "the hub refused the commit");
      },
    };
    const { promise } = await run(broken, realWorker(broken));
    await assert.rejects(promise, /the hub refused the commit/);
  });

  it("Ctrl-C: every worker is stopped and nothing more is committed", async () => {
    const { dir, dest } = destination();
    const ctrlC = new AbortController();
    let stopped = 0;
    const { events, promise } = await run(
      dest,
      async (_share, _ev, signal) => {
        await new Promise<void>((resolve) =>
          signal.addEventListener("abort", () => resolve(), { once: true }),
        );
        stopped++;
        throw new HubferryError("CANCELLED", "stopped");
      },
      { signal: ctrlC.signal },
    );
    setTimeout(() => ctrlC.abort(), 50);
    await assert.rejects(promise, (err: HubferryError) => err.code === "CANCELLED");
    assert.equal(stopped, 2);
    assert.equal(events.filter((e) => e.event === "commit").length, 0);
    assert.deepEqual(await readTree(dir).catch(() => ({})), {});
  });
});
