import assert from "node:assert/strict";
import { join } from "node:path";
import { type RepoFixture, randomName, readTree, treeDiff, writeFixture } from "./fixtures.js";
import { USERS } from "./local-hub.js";
import { hfClientEnv, runPython } from "./python.js";

/**
 * Seeding and reading back repos on local hubs with the OFFICIAL Python clients (huggingface_hub
 * and the newer modelscope), byte for byte: what a migration wrote is judged by them, not by us.
 */
export interface ReadBack {
  seedHf(id: string, type: "model" | "dataset", fixture: RepoFixture): Promise<void>;
  seedMs(id: string, type: "model" | "dataset", fixture: RepoFixture): Promise<void>;
  assertOnHf(id: string, type: "model" | "dataset", fixture: RepoFixture): Promise<void>;
  assertOnMs(id: string, type: "model" | "dataset", fixture: RepoFixture): Promise<void>;
}

/** Files the clients add or the hubs keep beside a repo's own: not part of what was migrated. */
const notOurs = (p: string) =>
  p === ".gitattributes" ||
  p.includes(".ms_upload") ||
  p.startsWith(".cache") ||
  /(^|\/)\.(msc|mv|mdl)$/.test(p);

export function readBack(hubs: { hf: string; ms: string }, work: string): ReadBack {
  const hf = async (args: Record<string, unknown>) => {
    const r = await runPython<Record<string, unknown>>(
      "hf",
      "hf_client.py",
      args,
      hfClientEnv(hubs.hf, join(work, `hfpy-${randomName("h")}`), USERS.alice.token),
    );
    assert.equal(r.ok, true, `${String(args.op)}: ${r.error}: ${r.message}`);
    return r;
  };
  const ms = async (args: Record<string, unknown>) => {
    const r = await runPython<Record<string, unknown>>(
      "msnew",
      "ms_client.py",
      { endpoint: hubs.ms, ...args },
      {
        HOME: join(work, "mspy"),
        MODELSCOPE_ENDPOINT: hubs.ms,
        MODELSCOPE_API_TOKEN: USERS.alice.msToken,
        MODELSCOPE_DOWNLOAD_INTRA_CLOUD: "false",
      },
    );
    assert.equal(r.ok, true, `${String(args.op)}: ${r.error}: ${r.message}`);
    return r;
  };
  const folderOf = async (fixture: RepoFixture) => {
    const folder = join(work, `seed-${randomName("s")}`);
    await writeFixture(folder, fixture);
    return folder;
  };
  return {
    async seedHf(id, type, fixture) {
      await hf({ op: "create_repo", repo_id: id, repo_type: type, exist_ok: true });
      await hf({ op: "upload_folder", folder: await folderOf(fixture), repo_id: id, repo_type: type });
    },
    async seedMs(id, type, fixture) {
      await ms({ op: "create_repo", repo_id: id, repo_type: type, create_default_config: false });
      await ms({ op: "upload_folder", folder: await folderOf(fixture), repo_id: id, repo_type: type });
    },
    async assertOnHf(id, type, fixture) {
      const r = await hf({ op: "snapshot_download", repo_id: id, repo_type: type });
      assert.deepEqual(treeDiff(fixture.files, await readTree(String(r.path), notOurs)), [], `${id} on HF`);
    },
    async assertOnMs(id, type, fixture) {
      const cache_dir = join(work, `ms-dl-${randomName("d")}`);
      const r = await ms({ op: "snapshot_download", repo_id: id, repo_type: type, cache_dir });
      assert.deepEqual(treeDiff(fixture.files, await readTree(String(r.path), notOurs)), [], `${id} on MS`);
    },
  };
}
