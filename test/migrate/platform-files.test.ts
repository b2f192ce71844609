import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventsOf, runCli } from "../helpers/cli.js";
import { randomName, readTree } from "../helpers/fixtures.js";
import { type HubPair, startHubPair, type TestHub, USERS } from "../helpers/local-hub.js";
import { runPython } from "../helpers/python.js";

/**
 * Files ModelScope writes into a new repo (README.md here) belong to the platform: after
 * `migrate hf:x ms:x` of a source without a README, `sync --delete` keeps it, does not count it
 * as extra and says so in the plan's notes. Once someone rewrites it, it is theirs again.
 */
let pair: HubPair;
let hf: TestHub;
let ms: TestHub;
let work: HubPair["work"];
before(async () => {
  pair = await startHubPair("platform");
  ({ hf, ms, work } = pair);
});
after(async () => {
  await pair?.stop();
});

const hfEnv = () => ({
  HF_ENDPOINT: hf.url,
  HF_TOKEN: USERS.alice.token,
  HF_HOME: join(work.path, "hfhome"),
  HF_HUB_DISABLE_XET: "1",
  HF_HUB_DISABLE_UPDATE_CHECK: "1",
});
const msEnv = () => ({
  HOME: work.path,
  MODELSCOPE_ENDPOINT: ms.url,
  MODELSCOPE_API_TOKEN: USERS.alice.msToken,
  MODELSCOPE_DOWNLOAD_INTRA_CLOUD: "false",
});

async function py(venv: string, script: string, args: Record<string, unknown>, env: Record<string, string>) {
  const r = await runPython<Record<string, unknown>>(venv, script, args, env);
  assert.equal(r.ok, true, `${String(args.op)}: ${r.error}: ${r.message}`);
  return r;
}

async function msFiles(id: string): Promise<Record<string, Buffer>> {
  const args = {
    op: "snapshot_download",
    repo_id: id,
    endpoint: ms.url,
    cache_dir: join(work.path, randomName("dl")),
  };
  const r = await py("msnew", "ms_client.py", args, msEnv());
  return readTree(String(r.path), (p) => p === ".gitattributes" || p.startsWith(".ms_upload"));
}

type PlanEvent = { delete: string[]; extra: unknown; notes: string[] };

describe("platform files on ModelScope", () => {
  it("the README ModelScope added on create is kept by sync --delete until someone changes it", async () => {
    const id = `alice/${randomName("plat")}`;
    const folder = join(work.path, "src");
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, "config.json"), '{"a": 1}\n');
    await py("hf", "hf_client.py", { op: "create_repo", repo_id: id }, hfEnv());
    await py("hf", "hf_client.py", { op: "upload_folder", folder, repo_id: id }, hfEnv());

    const migrated = await runCli(["migrate", `hf:${id}`, `ms:${id}`, "--yes", "--json"], pair.env());
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.ok((await msFiles(id))["README.md"], "ModelScope wrote a README into the new repo");

    const kept = await runCli(["sync", `hf:${id}`, `ms:${id}`, "--delete", "--json"], pair.env());
    assert.equal(kept.code, 0, kept.stderr);
    const [plan] = eventsOf(kept, "plan") as PlanEvent[];
    assert.deepEqual(plan!.delete, []);
    assert.equal(plan!.extra, null);
    assert.ok(
      plan!.notes.includes("kept: README.md, added by ModelScope when the repo was created"),
      plan!.notes.join("\n"),
    );
    assert.ok((await msFiles(id))["README.md"], "sync --delete kept the platform's README");

    // Someone rewrites it on ModelScope: now it is a file the source does not have.
    const readme = join(work.path, "README.md");
    await writeFile(readme, "# mine\n");
    await py(
      "msnew",
      "ms_client.py",
      { op: "upload_file", repo_id: id, file: readme, path_in_repo: "README.md" },
      msEnv(),
    );
    const del = await runCli(["sync", `hf:${id}`, `ms:${id}`, "--delete", "--json"], pair.env());
    assert.equal(del.code, 0, del.stderr);
    assert.deepEqual((eventsOf(del, "plan") as PlanEvent[])[0]!.delete, ["README.md"]);
    const after = await msFiles(id);
    assert.equal(after["README.md"], undefined);
    assert.equal(after["config.json"]?.toString(), '{"a": 1}\n');
  });
});
