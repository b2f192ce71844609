import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliRun, eventsOf, runCli } from "../helpers/cli.js";
import { pseudoRandom, randomName } from "../helpers/fixtures.js";
import { type HubPair, startHubPair, USERS } from "../helpers/local-hub.js";
import { ok, pairCli } from "../helpers/pair-cli.js";
import { type ReadBack, readBack } from "../helpers/read-back.js";
import { seedHf } from "../helpers/seed.js";
import { safetensorsFile } from "../helpers/weights.js";

/**
 * A large file read in several ranges at once, end to end through the real CLI: HF -> ModelScope
 * (one PUT per file there) and `pull`, with the source hub refusing some of the extra ranges with
 * 429. The copy is byte-identical, read back by the official client; the run says it had several
 * ranges open and went on with fewer; each file still has one `file_start` and one `file_done`.
 */
let pair: HubPair;
let back: ReadBack;
const MiB = 1024 * 1024;
/**
 * Five parts of 16 MiB, the last one short: a real safetensors header (pull checks it) over
 * pseudo-random bytes, so that parts out of order could never pass for the file.
 */
const big = (() => {
  const n = 4 * 16 * MiB + 12_345;
  const file = safetensorsFile({ w: { dtype: "U8", shape: [n] } });
  pseudoRandom(n, 61).copy(file, file.length - n);
  return file;
})();
const files = {
  "model.safetensors": big,
  "config.json": Buffer.from('{"a": 1}'),
  "README.md": Buffer.from("# ranges\n"),
};
const id = `alice/${randomName("ranges")}`;
const ranges = { HUBFERRY_RANGE_STREAMS: "4", HUBFERRY_RANGE_PART_MIB: "16" };

before(async () => {
  pair = await startHubPair("parallel-ranges");
  back = readBack({ hf: pair.hf.url, ms: pair.ms.url }, pair.work.path);
  await seedHf(pair.hf.url, USERS.alice.token, { type: "model", name: id }, files);
});
after(async () => {
  await pair?.stop();
});

/** The retry events that lowered the stream count, and how many ranges each says were open. */
function fewerStreams(run: CliRun): { open: number; now: number }[] {
  return eventsOf(run, "retry")
    .map((e) =>
      /with (\d+) ranges open\): the part is read again, (\d+) at a time now/.exec(String(e.reason)),
    )
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ open: Number(m[1]), now: Number(m[2]) }));
}

const objectHits = async () => (await pair.hf.stats())["hf.object"] ?? 0;

/** Two of the ranged reads after the first are refused with 429, as a CDN past its per-client cap. */
const refuseTwo = () => pair.hf.fault({ route: "hf.object", kind: "status", status: 429, skip: 1, times: 2 });

describe("parallel ranges within a file", () => {
  it("HF -> ModelScope: 429s on extra ranges mean fewer streams; the copy is byte-identical", async () => {
    await refuseTwo();
    const hitsBefore = await objectHits();
    const run = ok(
      await pairCli({ ...pair, env: (x) => pair.env({ ...ranges, ...x }) }, [
        "migrate",
        `hf:${id}`,
        `ms:${id}`,
        "--yes",
      ]),
    );
    await pair.hf.clearFaults();
    const fewer = fewerStreams(run);
    assert.deepEqual(
      fewer.map((f) => f.now),
      [3, 2],
      "each refused range lowered the stream count by one",
    );
    assert.ok(
      fewer.every((f) => f.open > 1),
      "more than one range was in flight",
    );
    // Five parts, each one request, and the two refused ones asked again.
    assert.ok((await objectHits()) - hitsBefore >= 7);
    const starts = eventsOf(run, "file_start").filter((e) => e.path === "model.safetensors");
    const dones = eventsOf(run, "file_done").filter((e) => e.path === "model.safetensors");
    assert.equal(starts.length, 1);
    assert.equal(dones.length, 1);
    assert.equal(dones[0]!.method, "single");
    assert.equal(eventsOf(run, "verify")[0]!.ok, true);
    await back.assertOnMs(id, "model", { files });
  });

  it("pull: the large file comes down in several ranges, written in order; 429s lower the streams", async () => {
    await refuseTwo();
    const hfHome = join(pair.work.path, "hf-home-ranges");
    const run = ok(
      await runCli(["pull", "model", id, "--json"], pair.env({ ...ranges, HF_HOME: hfHome }), {
        timeoutMs: 180_000,
      }),
    );
    await pair.hf.clearFaults();
    assert.deepEqual(
      fewerStreams(run).map((f) => f.now),
      [3, 2],
    );
    assert.equal(eventsOf(run, "file_done").filter((e) => e.path === "model.safetensors").length, 1);
    const [summary] = eventsOf(run, "summary") as { destinationUrl: string }[];
    const got = await readFile(join(summary!.destinationUrl, "model.safetensors"));
    assert.ok(got.equals(big), "the cached file is byte-identical");
  });

  it("HUBFERRY_RANGE_STREAMS=1: one stream per file, one request for the whole file", async () => {
    const hfHome = join(pair.work.path, "hf-home-one");
    const hitsBefore = await objectHits();
    ok(
      await runCli(
        ["pull", "model", id, "--json"],
        pair.env({ HUBFERRY_RANGE_STREAMS: "1", HF_HOME: hfHome }),
        { timeoutMs: 180_000 },
      ),
    );
    assert.equal((await objectHits()) - hitsBefore, 1);
  });

  it("ModelScope -> HF multipart: parts stream from their ranges into their PUTs; a failed streamed PUT is sent again from memory", async () => {
    const dest = `alice/${randomName("parts")}`;
    const partsBefore = (await pair.hf.stats())["hf.lfs-part"] ?? 0;
    // The second part PUT fails once: a streamed body cannot be replayed, so the part is re-sent.
    await pair.hf.fault({ route: "hf.lfs-part", kind: "status", status: 500, skip: 1, times: 1 });
    const run = ok(await pairCli(pair, ["migrate", `ms:${id}`, `hf:${dest}`, "--yes"]));
    await pair.hf.clearFaults();
    const dones = eventsOf(run, "file_done").filter((e) => e.path === "model.safetensors");
    assert.equal(dones.length, 1);
    assert.equal(dones[0]!.method, "parts");
    // Five parts, one sent twice.
    assert.equal(((await pair.hf.stats())["hf.lfs-part"] ?? 0) - partsBefore, 6);
    assert.equal(eventsOf(run, "verify")[0]!.ok, true);
    await back.assertOnHf(dest, "model", { files });
  });

  it("a bad HUBFERRY_RANGE_STREAMS is refused by name", async () => {
    const run = await runCli(
      ["pull", "model", id, "--json"],
      pair.env({ HUBFERRY_RANGE_STREAMS: "many", HF_HOME: join(pair.work.path, "hf-home-bad") }),
    );
    assert.equal(run.code, 2);
    assert.match(run.stdout + run.stderr, /HUBFERRY_RANGE_STREAMS: "many"/);
  });
});
