import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RateWindow } from "../../src/cli/render/rate.js";
import type { TransferEvent } from "../../src/transfer/events.js";
import { ProgressMeter } from "../../src/transfer/progress.js";

/** Rate and ETA from the last seconds, and progress throttling, on a clock the test moves. */
describe("rate window", () => {
  it("a slow start then a steady rate: the ETA follows the recent rate, not the average since the start", () => {
    let now = 0;
    const w = new RateWindow(() => now);
    w.sample(0);
    assert.equal(w.rate(), undefined, "too early to say");
    // 30 s with almost nothing (a PUT that reported no bytes), then 1 MB/s for 10 s.
    now = 30_000;
    w.sample(1000);
    for (let s = 1; s <= 10; s++) {
      now = 30_000 + s * 1000;
      w.sample(1000 + s * 1_000_000);
    }
    const rate = w.rate()!;
    assert.ok(rate > 900_000 && rate < 1_100_000, `about 1 MB/s, got ${rate}`);
    const eta = w.eta(60_000_000)!;
    assert.ok(eta > 50 && eta < 70, `about a minute, got ${eta}`);
  });

  it("a stall shows as a falling rate", () => {
    let now = 0;
    const w = new RateWindow(() => now);
    for (let s = 0; s <= 8; s++) {
      now = s * 1000;
      w.sample(s * 1_000_000);
    }
    const before = w.rate()!;
    now = 16_000;
    assert.ok(w.rate()! < before / 1.5, "no bytes for 8 s: the rate drops");
  });
});

describe("progress meter", () => {
  it("emits at least every second and at each 1%, never more often than every 100 ms, and the end", () => {
    let now = 0;
    const out: TransferEvent[] = [];
    const m = new ProgressMeter(
      (e) => out.push(e),
      () => now,
    );
    m.start("f", 1_000_000);
    // 10 bytes every 10 ms: 1% (10 kB) is never reached in 100 ms, so one event a second.
    for (let i = 1; i <= 300; i++) {
      now = i * 10;
      m.add("f", 10);
    }
    assert.equal(out.length, 3, JSON.stringify(out));
    // 100 kB at once, every 20 ms: 10% each, but at most one event per 100 ms.
    out.length = 0;
    for (let i = 1; i <= 9; i++) {
      now = 3000 + i * 20;
      m.add("f", 100_000);
    }
    assert.equal(out.length, 1, JSON.stringify(out));
    m.complete("f");
    assert.deepEqual(out.at(-1), { event: "file_progress", path: "f", bytes: 1_000_000, size: 1_000_000 });
  });
});
