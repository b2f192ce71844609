import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliRun, runCli } from "../helpers/cli.js";
import { pseudoRandom, randomName, writeFixture } from "../helpers/fixtures.js";
import { type HubPair, startHubPair, type TestHub } from "../helpers/local-hub.js";
import { seedHf } from "../helpers/seed.js";

/**
 * Progress while a large file moves, through the real CLI: the hub that receives (or sends) the
 * file is throttled by fault injection, so its body takes seconds; `--json` must report bytes
 * as they go, not once at the end. Every upload path: ModelScope's single PUT, Hugging Face's
 * basic LFS PUT, small files in the commit, push from a folder; and pull's downloads.
 */
let pair: HubPair;
// Large enough that the loopback socket buffers (megabytes) cannot swallow the whole body at once.
const BIG = 16 * 1024 * 1024;
const RATE = 3 * 1024 * 1024;
/** A repo whose large file has bytes no hub has seen yet (a stored object would send nothing). */
const repoFiles = (seed: number, big = "blob.dat") => ({
  "README.md": Buffer.from("# progress\n"),
  "config.json": Buffer.from('{"a": 1}\n'),
  [big]: pseudoRandom(BIG, seed),
});

before(async () => {
  // The HF hub keeps >1 MB files in LFS and uploads them in one PUT (multipart only from 64 MB).
  pair = await startHubPair("progress", ["--lfs-threshold", "1MB"]);
});
after(async () => {
  await pair?.stop();
});

async function cli(args: string[]): Promise<CliRun> {
  const run = await runCli([...args, "--json"], pair.env(), { timeoutMs: 90_000 });
  assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}${run.stdout.slice(-1500)}`);
  return run;
}

async function throttle(hub: TestHub, rule: Record<string, unknown>): Promise<void> {
  await hub.clearFaults();
  await hub.fault({ kind: "throttle", bytesPerSecond: RATE, times: 20, ...rule });
}

/** The big file's progress before its file_done: several steps, going up, not all at the end. */
function assertProgressive(run: CliRun, path = "blob.dat", size = BIG): void {
  const mine = run.events.filter((e) => e.path === path);
  const doneAt = mine.findIndex((e) => e.event === "file_done");
  assert.ok(doneAt > 0, `a file_done for ${path}: ${run.stdout.slice(0, 2000)}`);
  const steps = mine.slice(0, doneAt).filter((e) => e.event === "file_progress") as {
    bytes: number;
    size: number;
  }[];
  const partial = steps.filter((s) => s.bytes < size);
  assert.ok(
    partial.length >= 2,
    `several file_progress events before the end (got ${steps.map((s) => s.bytes).join(", ")})`,
  );
  for (let i = 1; i < steps.length; i++)
    assert.ok(steps[i]!.bytes > steps[i - 1]!.bytes, `bytes go up: ${steps.map((s) => s.bytes).join(", ")}`);
  assert.equal(steps.at(-1)?.bytes, size, "the last progress is the whole file");
  assert.ok(steps.every((s) => s.size === size));
}

describe("progress you can see", () => {
  const id = `alice/${randomName("prog")}`;
  const onMs = `alice/${randomName("prog-ms")}`;
  before(async () => {
    await seedHf(pair.hf.url, "hf_alice_test_token_0001", { type: "model", name: id }, repoFiles(71));
  });

  it("HF -> MS: ModelScope's single PUT reports bytes as they are sent", async () => {
    await throttle(pair.ms, { route: "ms.blob-put" });
    const run = await cli(["migrate", `hf:${id}`, `ms:${onMs}`, "--yes"]);
    await pair.ms.clearFaults();
    assertProgressive(run);
  });

  it("MS -> HF: Hugging Face's basic LFS PUT reports bytes as they are sent", async () => {
    const dir = join(pair.work.path, "ms-src");
    // A suffix Hugging Face's default .gitattributes already keeps in LFS (a .dat file makes the
    // hub add a rule, and the copy then differs from the source's .gitattributes).
    await writeFixture(dir, { files: repoFiles(73, "blob.zip") });
    const msId = `alice/${randomName("prog-ms-src")}`;
    await cli(["push", "model", dir, "--repo", `ms:${msId}`]);
    await throttle(pair.hf, { route: "hf.lfs-put" });
    const run = await cli(["migrate", `ms:${msId}`, `hf:alice/${randomName("prog-back")}`, "--yes"]);
    await pair.hf.clearFaults();
    assertProgressive(run, "blob.zip");
  });

  it("small files in the commit: progress as the commit is sent, file_done once it has sent them", async () => {
    // Text files under the 1 MB LFS threshold travel inline in ModelScope's commit; together more
    // than the socket buffers hold, so the last ones go out while the hub reads slowly.
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 16; i++)
      files[`notes-${i}.txt`] = Buffer.from(pseudoRandom(450_000, 80 + i).toString("hex"));
    const src = `alice/${randomName("prog-small")}`;
    await seedHf(pair.hf.url, "hf_alice_test_token_0001", { type: "model", name: src }, files);
    await throttle(pair.ms, { route: "ms.commit", bytesPerSecond: 3 * 1024 * 1024 });
    const run = await cli(["migrate", `hf:${src}`, `ms:alice/${randomName("prog-small-ms")}`, "--yes"]);
    await pair.ms.clearFaults();
    assertProgressive(run, "notes-12.txt", 900_000);
    const done = run.events.findIndex((e) => e.event === "file_done" && e.path === "notes-12.txt");
    const commitAt = run.events.findIndex((e) => e.event === "commit");
    assert.ok(done < commitAt, "file_done comes before the commit event");
  });

  it("push: a folder's large file reports bytes as they are sent", async () => {
    const dir = join(pair.work.path, "push-src");
    await writeFixture(dir, { files: repoFiles(74) });
    await throttle(pair.ms, { route: "ms.blob-put" });
    const run = await cli(["push", "model", dir, "--repo", `ms:alice/${randomName("prog-push")}`]);
    await pair.ms.clearFaults();
    assertProgressive(run);
  });

  it("pull: a large download reports bytes as they arrive", async () => {
    await throttle(pair.hf, { method: "GET", path: "weights\\.bin|/_hubferry/objects/" });
    const run = await cli([
      "pull",
      "model",
      `hf:${id}`,
      "--output",
      join(pair.work.path, "pulled"),
      "--include",
      "*",
    ]);
    await pair.hf.clearFaults();
    assertProgressive(run);
  });
});
