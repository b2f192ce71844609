import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Link, passThrough } from "../../bench/lib/link-bucket.mjs";

/**
 * The shaper's accounting (bench/shaper.mjs): each connection through its own bucket, then the
 * link's shared one. Checked in virtual time, so the figures are exact and no clock is raced: a
 * tiny scheduler wakes the sleeping connections in time order.
 */
function virtualTime() {
  let t = 0;
  const timers: { at: number; wake: () => void }[] = [];
  const sleep = (ms: number) =>
    new Promise<void>((wake) => {
      timers.push({ at: t + ms, wake });
    });
  async function run(tasks: Promise<unknown>[]): Promise<void> {
    let done = false;
    const all = Promise.all(tasks).then(() => {
      done = true;
    });
    while (!done) {
      // Every connection runs until it sleeps (or ends); then the earliest sleeper wakes.
      await new Promise((r) => setImmediate(r));
      if (done) break;
      timers.sort((a, b) => a.at - b.at);
      const next = timers.shift();
      assert.ok(next, "a connection neither ended nor slept");
      t = next.at;
      next.wake();
    }
    await all;
  }
  return { now: () => t, sleep, run };
}

const PIECE = 64 * 1024;
const MB = 1e6;

/** Sends `bytes` in pieces over `count` connections capped at `perConnection`, inside `total`. */
async function send(count: number, bytes: number, perConnection: number, total: number) {
  const clock = virtualTime();
  const link = new Link(total, clock.now);
  const finished: number[] = [];
  const connection = async () => {
    const own = new Link(perConnection, clock.now);
    for (let sent = 0; sent < bytes; sent += PIECE) await passThrough(own, link, PIECE, clock.sleep);
    finished.push(clock.now());
  };
  await clock.run(Array.from({ length: count }, connection));
  return { finished, linkBytes: link.bytes };
}

const near = (actual: number, expected: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= expected * 0.05,
    `${what}: ${actual.toFixed(1)} ms, expected ~${expected} ms`,
  );

describe("shaper: a cap per connection inside the link's total", () => {
  it("one connection moves at its own cap when the link is wider", async () => {
    const { finished } = await send(1, 25 * MB, 50 * MB, 1000 * MB);
    near(finished[0]!, 500, "25 MB at 50 MB/s");
  });

  it("two connections are each capped, so together they move twice what one does", async () => {
    const { finished, linkBytes } = await send(2, 25 * MB, 50 * MB, 1000 * MB);
    for (const t of finished) near(t, 500, "each connection's 25 MB at 50 MB/s");
    assert.ok(linkBytes >= 2 * 25 * MB, "the link counted both");
  });

  it("when the link is narrower than the connections' caps together, the link sets the pace", async () => {
    const { finished } = await send(2, 25 * MB, 50 * MB, 60 * MB);
    for (const t of finished) near(t, (50 / 60) * 1000, "50 MB over a 60 MB/s link");
  });

  it("without a cap per connection, one connection gets the whole link (as before)", async () => {
    const { finished } = await send(1, 25 * MB, Number.POSITIVE_INFINITY, 100 * MB);
    near(finished[0]!, 250, "25 MB at 100 MB/s");
  });
});
