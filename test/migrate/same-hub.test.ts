import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventsOf } from "../helpers/cli.js";
import { type RepoFixture, randomName, sampleFixture } from "../helpers/fixtures.js";
import { type HubPair, ORG, startHubPair } from "../helpers/local-hub.js";
import { copied, ok, pairCli } from "../helpers/pair-cli.js";
import { type ReadBack, readBack } from "../helpers/read-back.js";

/**
 * Hugging Face to Hugging Face and ModelScope to ModelScope: another name or another owner on the
 * same hub, through the same engine (streamed, verified), read back by the official clients.
 */
let pair: HubPair;
let back: ReadBack;
before(async () => {
  pair = await startHubPair("same-hub", ["--multipart-threshold", "2MB", "--multipart-chunk-size", "1MB"]);
  back = readBack({ hf: pair.hf.url, ms: pair.ms.url }, pair.work.path);
});
after(async () => {
  await pair?.stop();
});

const cli = (args: string[]) => pairCli(pair, args);

for (const hub of ["hf", "ms"] as const) {
  describe(`${hub} -> ${hub}: another name, another owner`, () => {
    const source = `alice/${randomName(`same-${hub}`)}`;
    const fixture: RepoFixture = sampleFixture({
      seed: hub === "hf" ? 121 : 131,
      multipartBytes: 3 * 1024 * 1024 + 5,
    });
    before(async () => {
      if (hub === "hf") await back.seedHf(source, "model", fixture);
      else await back.seedMs(source, "model", fixture);
    });
    const onHub = (id: string, f: RepoFixture) =>
      hub === "hf" ? back.assertOnHf(id, "model", f) : back.assertOnMs(id, "model", f);

    it("--dry-run writes nothing; migrate copies byte-identical; a re-run moves nothing", async () => {
      const dest = `${ORG}/${randomName("copy")}`;
      const dry = ok(await cli(["migrate", `${hub}:${source}`, `${hub}:${dest}`, "--dry-run"]));
      assert.ok(copied(dry).includes("weights/big.bin"));
      assert.equal(eventsOf(dry, "commit").length, 0);
      const before = await pair[hub].stats();
      const run = ok(await cli(["migrate", `${hub}:${source}`, `${hub}:${dest}`, "--yes"]));
      const after = await pair[hub].stats();
      const notes = eventsOf(run, "note").map((e) => String(e.message));
      const summary = eventsOf(run, "summary")[0] as { bytes: number; files: number };
      if (hub === "hf") {
        // A new repo on the same hub: the hub's own duplicate, no byte through hubferry.
        assert.deepEqual(notes, ["copied by the hub itself: no byte passed through hubferry"]);
        assert.equal(summary.bytes, 0);
        for (const route of ["hf.lfs-put", "hf.lfs-part", "hf.commit", "hf.object"])
          assert.equal((after[route] ?? 0) - (before[route] ?? 0), 0, `no ${route} request`);
      } else assert.ok(summary.bytes > 3 * 1024 * 1024, "ModelScope has no server-side copy: streamed");
      await onHub(dest, fixture);
      const again = ok(await cli(["migrate", `${hub}:${source}`, `${hub}:${dest}`, "--yes"]));
      assert.deepEqual(copied(again), []);
    });

    it("filters, then sync --delete makes the copy equal to the source", async () => {
      const dest = `alice/${randomName("copy-sync")}`;
      const partial = ok(
        await cli(["migrate", `${hub}:${source}`, `${hub}:${dest}`, "--yes", "--include", "*.json"]),
      );
      assert.deepEqual(copied(partial), ["config.json"]);
      const before = await pair[hub].stats();
      const synced = ok(await cli(["sync", `${hub}:${source}`, `${hub}:${dest}`, "--delete"]));
      const after = await pair[hub].stats();
      assert.ok(copied(synced).includes("model.safetensors"));
      if (hub === "hf") {
        // An existing destination: its LFS objects are copied by the hub (lfs-files/duplicate), not sent.
        const summary = eventsOf(synced, "summary")[0] as { stored: number; storedBytes: number };
        assert.ok(summary.stored >= 2 && summary.storedBytes > 3 * 1024 * 1024, JSON.stringify(summary));
        for (const route of ["hf.lfs-put", "hf.lfs-part"])
          assert.equal((after[route] ?? 0) - (before[route] ?? 0), 0, `no ${route} request`);
        assert.equal((after["hf.lfs-files-duplicate"] ?? 0) - (before["hf.lfs-files-duplicate"] ?? 0), 1);
      }
      await onHub(dest, fixture);
    });

    if (hub === "hf")
      it("a hub that refuses both server-side copies: the run says so and streams every byte instead, byte-identical", async () => {
        const dest = `alice/${randomName("copy-refused")}`;
        await pair.hf.fault({ route: "hf.duplicate", kind: "status", status: 500, times: 1 });
        // Nor does it copy LFS objects: every byte is then uploaded.
        await pair.hf.fault({ route: "hf.lfs-files-duplicate", kind: "status", status: 404, times: 10 });
        const run = ok(await cli(["migrate", `hf:${source}`, `hf:${dest}`, "--yes"]));
        await pair.hf.clearFaults();
        const [note] = eventsOf(run, "note").map((e) => String(e.message));
        assert.match(note!, /the hub did not make the copy itself .*: streaming it instead/);
        const summary = eventsOf(run, "summary")[0] as { bytes: number; stored: number };
        assert.ok(summary.bytes > 3 * 1024 * 1024 && summary.stored === 0, JSON.stringify(summary));
        assert.ok(eventsOf(run, "commit").length >= 1, "committed by hubferry, not duplicated");
        await back.assertOnHf(dest, "model", fixture);
      });

    it("a run cut after its first commit resumes by re-run: only the rest moves", async () => {
      const dest = `alice/${randomName("copy-cut")}`;
      const commit = hub === "hf" ? "hf.commit" : "ms.commit";
      if (hub === "hf") {
        // Streamed, not duplicated, so that the cut lands between hubferry's own commits.
        await pair.hf.fault({ route: "hf.duplicate", kind: "status", status: 500, times: 1 });
        await pair.hf.fault({ route: "hf.lfs-files-duplicate", kind: "status", status: 404, times: 10 });
      }
      await pair[hub].fault({ route: commit, kind: "status", status: 500, skip: 1, times: 50 });
      const args = ["migrate", `${hub}:${source}`, `${hub}:${dest}`, "--yes", "--batch-files", "2"];
      const cut = await cli(args);
      await pair[hub].clearFaults();
      assert.equal(cut.code, 1, cut.stderr);
      const all = copied(cut);
      const again = ok(await cli(args));
      const rest = copied(again);
      assert.ok(rest.length > 0 && rest.length <= all.length - 2, `re-run copied ${rest.join(", ")}`);
      await onHub(dest, fixture);
    });

    it("the very same repo is refused with exit 2", async () => {
      const run = await cli(["migrate", `${hub}:${source}`, `${hub}:${source}`, "--yes"]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /source and destination are the same repo/);
    });
  });
}
