import assert from "node:assert/strict";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { HubferryError } from "../../src/core/errors.js";
import { parseRepoRef } from "../../src/core/repo-ref.js";
import { HfHub } from "../../src/hubs/hf/hf-hub.js";
import { localFolderSource } from "../../src/hubs/local/local-folder.js";
import { executePlan } from "../../src/transfer/execute.js";
import { orderedRead } from "../../src/transfer/ordered-read.js";
import { type FewerStreams, type OpenRange, parallelRanges } from "../../src/transfer/parallel-ranges.js";
import { planTransfer } from "../../src/transfer/plan.js";
import { rangeSettings, rangeSettingsFromEnv, readsInParallel } from "../../src/transfer/range-settings.js";
import { resumableRead } from "../../src/transfer/resumable-read.js";
import type { TransferSource } from "../../src/transfer/types.js";
import { pseudoRandom, randomName, writeFixture } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The parallel-range reader against a real hub over HTTP: a file read in many ranges at once comes
 * out byte for byte in order, with no more ranges open than allowed and bounded memory; a refused
 * extra range means fewer streams, not a failure; a broken part resumes from its last byte.
 */
let hub: TestHub;
let work: { path: string; cleanup: () => Promise<void> };
let src: TransferSource;
const PART = 256 * 1024;
const data = pseudoRandom(20 * PART + 12_345, 41);

before(async () => {
  hub = await startTestHub();
  work = await tempDir("ranges");
  const hf = new HfHub(hub.url, USERS.alice.token);
  const ref = parseRepoRef(`hf:alice/${randomName("ranges")}`);
  await hf.createRepo(ref, { private: false });
  const dir = join(work.path, "seed");
  await writeFixture(dir, { files: { "w.bin": data } });
  const from = await localFolderSource(dir);
  const to = hf.destination(ref);
  await executePlan(await planTransfer(from, to), from, to, {
    signal: new AbortController().signal,
    events: () => {},
    commitMessage: () => "seed",
  });
  src = await hf.source(ref);
});
// A test that fails before clearing its faults must not leave them to the next one.
afterEach(async () => {
  await hub?.clearFaults();
});
after(async () => {
  await hub?.stop();
  await work?.cleanup();
});

/** Real ranged reads of w.bin, watched: how many are open at once, and how far reading runs ahead. */
function watched(onRetry?: (reason: string) => void) {
  const w = { open: 0, maxOpen: 0, read: 0, opened: [] as number[] };
  const open: OpenRange = (start, end, o) =>
    (async function* () {
      w.open++;
      w.maxOpen = Math.max(w.maxOpen, w.open);
      w.opened.push(start);
      try {
        for await (const c of resumableRead(src, "w.bin", start, end, {
          signal: o.signal,
          refuseFast: o.refuseFast,
          onRetry: (_a, _w, reason) => onRetry?.(reason),
        })) {
          w.read += c.byteLength;
          yield c;
        }
      } finally {
        w.open--;
      }
    })();
  return { w, open };
}

async function drain(stream: AsyncIterable<Uint8Array>, onChunk?: (n: number) => void): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) {
    parts.push(c);
    onChunk?.(c.byteLength);
  }
  return Buffer.concat(parts);
}

const base = (extra: Partial<Parameters<typeof parallelRanges>[1]> = {}) => ({
  start: 0,
  end: data.length - 1,
  partSize: PART,
  streams: 4,
  signal: new AbortController().signal,
  ...extra,
});

describe("parallelRanges over real HTTP", () => {
  it("yields the bytes in order, with at most `streams` ranges open and at most that many parts held", async () => {
    const { w, open } = watched();
    let lag = 0;
    let consumed = 0;
    const got = await drain(parallelRanges(open, base()), (n) => {
      consumed += n;
      lag = Math.max(lag, w.read - consumed);
    });
    assert.equal(got.length, data.length);
    assert.ok(got.equals(data));
    assert.equal(w.maxOpen, 4, "four ranges were open at once, never more");
    assert.equal(w.opened.length, 21, "one request per part");
    assert.ok(lag <= 4 * PART, `read ran ${lag} bytes ahead of the consumer`);
    assert.equal(w.open, 0);
  });

  it("reads from an offset (a resumed download): parts are cut from there", async () => {
    const { open } = watched();
    const got = await drain(parallelRanges(open, base({ start: 1_000_003, streams: 3 })));
    assert.ok(got.equals(data.subarray(1_000_003)));
  });

  it("a 429 on extra ranges lowers the stream count and the part is read again: the bytes are exact", async () => {
    await hub.fault({ route: "hf.object", kind: "status", status: 429, skip: 1, times: 2 });
    const fewer: FewerStreams[] = [];
    const { w, open } = watched();
    const got = await drain(parallelRanges(open, base({ onFewerStreams: (e) => fewer.push(e) })));
    assert.ok(got.equals(data));
    assert.deepEqual(
      fewer.map((f) => f.streams),
      [3, 2],
    );
    assert.ok(fewer.every((f) => f.open > 1 && /HTTP 429/.test(f.reason)));
    assert.ok(w.maxOpen <= 4);
    assert.equal(w.opened.length, 23, "each refused part asked again");
    assert.equal((await hub.faultRules())[0]?.hits, 2);
    await hub.clearFaults();
  });

  it("a 403 on an extra range (a CDN's per-client cap) is treated the same way", async () => {
    await hub.fault({ route: "hf.object", kind: "status", status: 403, skip: 2, times: 1 });
    const fewer: FewerStreams[] = [];
    const { open } = watched();
    const got = await drain(parallelRanges(open, base({ onFewerStreams: (e) => fewer.push(e) })));
    assert.ok(got.equals(data));
    assert.deepEqual(
      fewer.map((f) => f.streams),
      [3],
    );
    await hub.clearFaults();
  });

  it("with one stream left a 429 is waited out by the read's own retries, never a failure", async () => {
    await hub.fault({ route: "hf.object", kind: "status", status: 429, retryAfter: 0, skip: 1, times: 3 });
    const fewer: FewerStreams[] = [];
    const { open } = watched();
    const got = await drain(parallelRanges(open, base({ streams: 2, onFewerStreams: (e) => fewer.push(e) })));
    assert.ok(got.equals(data));
    assert.deepEqual(
      fewer.map((f) => f.streams),
      [1],
    );
    await hub.clearFaults();
  });

  it("a part whose connection resets mid-body resumes from its last byte", async () => {
    await hub.fault({ route: "hf.object", kind: "reset", afterBytes: 100_000, skip: 2, times: 1 });
    const retries: string[] = [];
    const fewer: FewerStreams[] = [];
    const { w, open } = watched((r) => retries.push(r));
    const got = await drain(parallelRanges(open, base({ onFewerStreams: (e) => fewer.push(e) })));
    assert.ok(got.equals(data));
    assert.equal(retries.length, 1);
    assert.equal(fewer.length, 0);
    assert.equal(w.opened.length, 21, "the resume is inside the part's own read");
    await hub.clearFaults();
  });

  it("an error that is not a refusal ends the stream; nothing goes on reading after it", async () => {
    const { w, open } = watched();
    const failing: OpenRange = (s, e, o) => {
      if (s === 3 * PART) throw new HubferryError("INTEGRITY", "part 3 is broken");
      return open(s, e, o);
    };
    await assert.rejects(drain(parallelRanges(failing, base())), /part 3 is broken/);
    assert.equal(w.open, 0);
  });

  it("a consumer that stops early closes every open range", async () => {
    const { w, open } = watched();
    let n = 0;
    for await (const c of parallelRanges(open, base())) {
      n += c.byteLength;
      if (n > PART) break;
    }
    assert.equal(w.open, 0);
    assert.ok(w.opened.length <= 5);
  });
});

describe("orderedRead and the range settings", () => {
  it("a file under two parts, or one from a source that gains nothing from ranges, is read in one request", async () => {
    const ranges = rangeSettings({ streams: 4, partSize: 16 * 1024 * 1024 });
    assert.equal(readsInParallel(32 * 1024 * 1024 - 1, ranges), false);
    assert.equal(readsInParallel(32 * 1024 * 1024, ranges), true);
    assert.equal(readsInParallel(1e10, rangeSettings({ streams: 1 })), false);
    let requests = 0;
    const counting: TransferSource = {
      ...src,
      read: (...args) => {
        requests++;
        return src.read(...args);
      },
    };
    const signal = new AbortController().signal;
    assert.ok(
      (await drain(orderedRead(counting, "w.bin", 0, data.length - 1, { signal, ranges }))).equals(data),
    );
    assert.equal(requests, 1);
    const folderLike = { ...counting, parallelRanges: false };
    const big = rangeSettings({ streams: 4, partSize: 1 });
    assert.equal(readsInParallel(data.length, { ...big, partSize: PART }), true);
    await drain(
      orderedRead(folderLike, "w.bin", 0, data.length - 1, { signal, ranges: { ...big, partSize: PART } }),
    );
    assert.equal(requests, 2, "no parallel ranges from a source that does not ask for them");
  });

  it("clamps to 1-16 streams and 16-64 MiB parts; the environment's values are checked", () => {
    assert.deepEqual(rangeSettings(), { streams: 4, partSize: 16 * 1024 * 1024 });
    assert.deepEqual(rangeSettings({ streams: 99, partSize: 1 }), {
      streams: 16,
      partSize: 16 * 1024 * 1024,
    });
    assert.deepEqual(rangeSettingsFromEnv({ HUBFERRY_RANGE_STREAMS: "8", HUBFERRY_RANGE_PART_MIB: "64" }), {
      streams: 8,
      partSize: 64 * 1024 * 1024,
    });
    assert.throws(() => rangeSettingsFromEnv({ HUBFERRY_RANGE_STREAMS: "0" }), /HUBFERRY_RANGE_STREAMS: "0"/);
    assert.throws(() => rangeSettingsFromEnv({ HUBFERRY_RANGE_PART_MIB: "8" }), /1[6]-64/);
  });
});
