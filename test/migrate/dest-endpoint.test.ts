import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventsOf } from "../helpers/cli.js";
import { type RepoFixture, randomName, sampleFixture } from "../helpers/fixtures.js";
import { type HubPair, ORG, startHubPair, USERS } from "../helpers/local-hub.js";
import { copied, ok, pairCli } from "../helpers/pair-cli.js";
import { type ReadBack, readBack } from "../helpers/read-back.js";

/**
 * Hugging Face to Hugging Face and ModelScope to ModelScope on another server (`--dest-endpoint`):
 * each side gets only its own token, nothing is copied server-side across servers, and the official
 * clients read the copy back from the second server.
 *
 * The pair's two local hubs both speak both APIs: the "ms" hub's HF face plays a second Hugging Face
 * server, and the "hf" hub's ModelScope face a second ModelScope site.
 */
let pair: HubPair;
let back: ReadBack;
/** Reads what is on the second server of each kind. */
let backElsewhere: ReadBack;
before(async () => {
  pair = await startHubPair("dest-endpoint");
  back = readBack({ hf: pair.hf.url, ms: pair.ms.url }, pair.work.path);
  backElsewhere = readBack({ hf: pair.ms.url, ms: pair.hf.url }, pair.work.path);
});
after(async () => {
  await pair?.stop();
});

const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
  pairCli({ ...pair, env: (extra) => pair.env({ ...env, ...extra }) }, args);

/** The second server of each kind, and the token bob has there. */
const elsewhere = (hub: "hf" | "ms") =>
  hub === "hf"
    ? { url: pair.ms.url, token: USERS.bob.token }
    : { url: pair.hf.url, token: USERS.bob.msToken };

const exists = async (url: string, hub: "hf" | "ms", id: string) => {
  const res = await fetch(hub === "hf" ? `${url}/api/models/${id}` : `${url}/api/v1/models/${id}`);
  await res.arrayBuffer();
  return res.status === 200;
};

for (const hub of ["hf", "ms"] as const) {
  describe(`${hub} -> ${hub} on another server`, () => {
    const name = randomName(`far-${hub}`);
    const source = `alice/${name}`;
    const fixture: RepoFixture = sampleFixture({ seed: hub === "hf" ? 141 : 151 });
    before(async () => {
      if (hub === "hf") await back.seedHf(source, "model", fixture);
      else await back.seedMs(source, "model", fixture);
    });
    const onElsewhere = (id: string, f: RepoFixture) =>
      hub === "hf" ? backElsewhere.assertOnHf(id, "model", f) : backElsewhere.assertOnMs(id, "model", f);

    it("streams with the destination's own token; dry-run writes nothing; a re-run moves nothing", async () => {
      const far = elsewhere(hub);
      const env = { HUBFERRY_DEST_TOKEN: far.token };
      // The same id on another server is another repo, not "the same repo".
      const dest = `bob/${name}`;
      const args = ["migrate", `${hub}:${source}`, `${hub}:${dest}`, "--dest-endpoint", far.url];
      const dry = ok(await cli([...args, "--dry-run"], env));
      assert.ok(copied(dry).includes("model.safetensors"));
      assert.equal(await exists(far.url, hub, dest), false, "a dry run created nothing");
      const run = ok(await cli([...args, "--yes"], env));
      const plan = eventsOf(run, "plan")[0] as { notes: string[] };
      assert.ok(
        plan.notes.includes(`the destination is on ${far.url}, written with HUBFERRY_DEST_TOKEN`),
        plan.notes.join("\n"),
      );
      const summary = eventsOf(run, "summary")[0] as { bytes: number; stored?: number };
      // Two servers: no server-side copy is possible, every byte is streamed.
      assert.ok(summary.bytes > 0 && !summary.stored, JSON.stringify(summary));
      await onElsewhere(dest, fixture);
      assert.equal(
        await exists(pair[hub].url, hub, dest),
        false,
        "nothing was written to the source's server",
      );
      const again = ok(await cli([...args, "--yes"], env));
      assert.deepEqual(copied(again), []);
    });

    it("without HUBFERRY_DEST_TOKEN the source's token is not sent there: exit 3, nothing written", async () => {
      const far = elsewhere(hub);
      // alice's token would be accepted by the second server too: only not sending it keeps it out.
      const dest = `alice/${randomName("no-token")}`;
      const run = await cli([
        "migrate",
        `${hub}:${source}`,
        `${hub}:${dest}`,
        "--dest-endpoint",
        far.url,
        "--yes",
      ]);
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /HUBFERRY_DEST_TOKEN/);
      assert.equal(await exists(far.url, hub, dest), false);
    });

    it("sync --delete with filters makes the far copy equal to the source", async () => {
      const far = elsewhere(hub);
      const env = { HUBFERRY_DEST_TOKEN: far.token };
      const dest = `bob/${randomName("far-sync")}`;
      const args = [`${hub}:${source}`, `${hub}:${dest}`, "--dest-endpoint", far.url];
      const partial = ok(await cli(["migrate", ...args, "--yes", "--include", "*.json"], env));
      assert.deepEqual(copied(partial), ["config.json"]);
      const synced = ok(await cli(["sync", ...args, "--delete"], env));
      assert.ok(copied(synced).includes("model.safetensors"));
      await onElsewhere(dest, fixture);
    });
  });
}

describe("--dest-endpoint: refusals and siblings", () => {
  it("a malformed endpoint is exit 2 naming the flag; the env var's is named too", async () => {
    const flag = await cli(["migrate", "hf:alice/x", "hf:alice/y", "--dest-endpoint", "ftp://x", "--yes"]);
    assert.equal(flag.code, 2, flag.stderr);
    assert.match(flag.stderr, /--dest-endpoint must be an http\(s\) URL/);
    const env = await cli(["migrate", "hf:alice/x", "hf:alice/y", "--yes"], {
      HUBFERRY_DEST_ENDPOINT: "not a url",
    });
    assert.equal(env.code, 2, env.stderr);
    assert.match(env.stderr, /HUBFERRY_DEST_ENDPOINT must be an http\(s\) URL/);
  });

  it("an endpoint with credentials in it is refused without echoing them", async () => {
    const run = await cli([
      "migrate",
      "hf:alice/x",
      "hf:alice/y",
      "--dest-endpoint",
      `http://u:${USERS.bob.token}@127.0.0.1:1`,
      "--yes",
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.ok(!(run.stdout + run.stderr).includes(USERS.bob.token), "the credential was echoed");
  });

  it("a folder destination takes no --dest-endpoint", async () => {
    const run = await cli([
      "migrate",
      "hf:alice/x",
      join(pair.work.path, "out"),
      "--dest-endpoint",
      pair.ms.url,
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--dest-endpoint names a server, and the destination is a folder/);
  });

  it("a batch on one hub needs another owner; with one it copies each repo there", async () => {
    const same = await cli(["migrate", "hf:alice", "hf:alice", "--yes"]);
    assert.equal(same.code, 2, same.stderr);
    assert.match(same.stderr, /a batch on one hub needs another owner/);
    const names = [randomName("bat-a"), randomName("bat-b")];
    const fixture = sampleFixture({ seed: 161 });
    for (const n of names) await back.seedHf(`alice/${n}`, "model", fixture);
    const list = join(pair.work.path, `list-${randomName("l")}.txt`);
    await writeFile(list, `${names.map((n) => `hf:alice/${n}`).join("\n")}\nhf:${ORG}/${names[0]}\n`);
    // With --list the one argument is the destination owner.
    const run = await cli(["migrate", "--list", list, `hf:${ORG}`, "--yes"]);
    assert.equal(run.code, 1, "one row (a repo onto itself) fails, the others are done");
    const rows = (
      eventsOf(run, "batch")[0] as {
        repos: { source: string; status: string; error?: { message: string } }[];
      }
    ).repos;
    assert.deepEqual(
      rows.map((r) => r.status),
      ["done", "done", "failed"],
    );
    assert.match(rows[2]!.error!.message, /source and destination are the same repo/);
    for (const n of names) await back.assertOnHf(`${ORG}/${n}`, "model", fixture);
  });

  it("a sandbox worker gets the destination's endpoint and token, and only as secret environment", async () => {
    const far = elsewhere("hf");
    const source = `alice/${randomName("far-box")}`;
    const fixture = sampleFixture({ seed: 171 });
    await back.seedHf(source, "model", fixture);
    const dest = `bob/${randomName("far-box")}`;
    const run = ok(
      await cli(
        ["migrate", `hf:${source}`, `hf:${dest}`, "--dest-endpoint", far.url, "--runner", "process", "--yes"],
        { HUBFERRY_DEST_TOKEN: far.token },
      ),
    );
    assert.ok(!run.stdout.includes(far.token));
    await backElsewhere.assertOnHf(dest, "model", fixture);
  });
});
