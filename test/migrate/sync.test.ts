import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventsOf, runCli } from "../helpers/cli.js";
import { randomName, readTree, sampleFixture, treeDiff, writeFixture } from "../helpers/fixtures.js";
import { type HubPair, startHubPair, type TestHub, USERS } from "../helpers/local-hub.js";
import { runPython } from "../helpers/python.js";

/** `hubferry sync` between two local hubs: adds, updates, deletes with --delete, then a no-op. */
let pair: HubPair;
let hf: TestHub;
let ms: TestHub;
let work: HubPair["work"];
before(async () => {
  pair = await startHubPair("sync");
  ({ hf, ms, work } = pair);
});
after(async () => {
  await pair?.stop();
});

const env = () => pair.env();
const hfEnv = () => ({
  HF_ENDPOINT: hf.url,
  HF_TOKEN: USERS.alice.token,
  HF_HOME: join(work.path, "hfhome"),
  HF_HUB_DISABLE_XET: "1",
  HF_HUB_DISABLE_UPDATE_CHECK: "1",
});

async function hfPy(args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await runPython<Record<string, unknown>>("hf", "hf_client.py", args, hfEnv());
  assert.equal(r.ok, true, `${String(args.op)}: ${r.error}: ${r.message}`);
  return r;
}

async function msFiles(id: string): Promise<Record<string, Buffer>> {
  const r = await runPython<Record<string, unknown>>(
    "msnew",
    "ms_client.py",
    {
      op: "snapshot_download",
      repo_id: id,
      endpoint: ms.url,
      cache_dir: join(work.path, `dl-${randomName("d")}`),
    },
    {
      HOME: work.path,
      MODELSCOPE_ENDPOINT: ms.url,
      MODELSCOPE_API_TOKEN: USERS.alice.msToken,
      MODELSCOPE_DOWNLOAD_INTRA_CLOUD: "false",
    },
  );
  assert.equal(r.ok, true, String(r.message));
  return readTree(String(r.path), (p) => p === ".gitattributes" || p.startsWith(".ms_upload"));
}

describe("hubferry sync", () => {
  it("copies what differs, deletes only with --delete, names the source commit, and then is a no-op", async () => {
    const id = `alice/${randomName("sync")}`;
    const fixture = sampleFixture({ seed: 90, multipartBytes: 300_000 });
    const folder = join(work.path, "src");
    await writeFixture(folder, fixture);
    await hfPy({ op: "create_repo", repo_id: id });
    await hfPy({ op: "upload_folder", folder, repo_id: id });

    const first = await runCli(["sync", `hf:${id}`, `ms:${id}`, "--json"], env());
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(treeDiff(fixture.files, await msFiles(id)), []);

    // The source moves on: one file added, one changed, one deleted.
    const added = join(work.path, "added.txt");
    await writeFile(added, "new file\n");
    await hfPy({ op: "upload_file", file: added, path_in_repo: "docs/added.txt", repo_id: id });
    const changed = join(work.path, "config.json");
    await writeFile(changed, '{"changed": true}\n');
    await hfPy({ op: "upload_file", file: changed, path_in_repo: "config.json", repo_id: id });
    await hfPy({ op: "delete_file", path_in_repo: "nested/deep/notes.txt", repo_id: id });
    const head = String((await hfPy({ op: "repo_info", repo_id: id })).sha);

    const keep = await runCli(["sync", `hf:${id}`, `ms:${id}`, "--json"], env());
    assert.equal(keep.code, 0, keep.stderr);
    let files = await msFiles(id);
    assert.equal(files["docs/added.txt"]?.toString(), "new file\n");
    assert.equal(files["config.json"]?.toString(), '{"changed": true}\n');
    assert.ok(files["nested/deep/notes.txt"], "without --delete, extra files stay");

    const del = await runCli(["sync", `hf:${id}`, `ms:${id}`, "--delete", "--json"], env());
    assert.equal(del.code, 0, del.stderr);
    const [plan] = eventsOf(del, "plan") as { delete: string[]; copy: unknown[] }[];
    assert.deepEqual(plan!.delete, ["nested/deep/notes.txt"]);
    assert.equal(plan!.copy.length, 0);
    const [commit] = eventsOf(del, "commit") as { message: string; deleted: number }[];
    assert.equal(commit!.deleted, 1);
    assert.match(commit!.message, new RegExp(`^Sync from hf:${id} at ${head.slice(0, 12)}`));
    files = await msFiles(id);
    assert.equal(files["nested/deep/notes.txt"], undefined);

    const again = await runCli(["sync", `hf:${id}`, `ms:${id}`, "--delete"], env());
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already in sync with hf:.*: nothing to do/);
    const json = await runCli(["sync", `hf:${id}`, `ms:${id}`, "--delete", "--json"], env());
    assert.equal(eventsOf(json, "commit").length, 0, "a no-op sync makes no commit");
  });
});
