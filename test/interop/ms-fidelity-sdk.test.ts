import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { randomName } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { runPython } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The ModelScope face's fidelity, judged by the official SDKs (test/interop/python/ms_fidelity.py):
 * modelscope 1.37.1 (hub in-tree, `legacy` API) and modelscope 1.40.2 + modelscope-hub 0.5.1
 * (its compat shim `legacy`, and `new` = `modelscope_hub.HubApi`). Raw HTTP stays in
 * test/server/ms-fidelity.test.ts only where no SDK call reaches the behaviour.
 */
const GENERATIONS = [
  { venv: "ms137", version: "1.37.1", apis: ["legacy"] },
  { venv: "msnew", version: "1.40.2", apis: ["legacy", "new"] },
] as const;

type Api = "legacy" | "new";
type Result = Record<string, unknown> & { ok: boolean; error?: string; message?: string; trace?: string };
type FileRow = { path: string; type: string; size: number; sha256: string };

let hub: TestHub;
let work: { path: string; cleanup: () => Promise<void> };

before(async () => {
  hub = await startTestHub();
  work = await tempDir("msfid");
});
after(async () => {
  await hub?.stop();
  await work?.cleanup();
});

const who = { alice: USERS.alice.msToken, bob: USERS.bob.msToken, anon: "" } as const;
type Who = keyof typeof who;

for (const gen of GENERATIONS) {
  describe(`modelscope ${gen.version}: fidelity through the SDK`, () => {
    const env = (user: Who): Record<string, string> => ({
      HOME: join(work.path, `home-${gen.venv}-${user}`),
      MODELSCOPE_CACHE: join(work.path, `cache-${gen.venv}-${user}`),
      INTRA_CLOUD_ACCELERATION: "false",
      MODELSCOPE_DOWNLOAD_INTRA_CLOUD: "false",
      ...(gen.venv === "msnew" ? { MODELSCOPE_ENDPOINT: hub.url } : {}),
    });
    const py = (user: Who, api: Api, args: Record<string, unknown>) =>
      runPython<Result>(gen.venv, "ms_fidelity.py", { endpoint: hub.url, api, ...args }, env(user));
    const ok = async (user: Who, api: Api, args: Record<string, unknown>) => {
      const r = await py(user, api, args);
      assert.equal(r.ok, true, `${api} ${String(args.op)} failed: ${r.error}: ${r.message}\n${r.trace}`);
      return r;
    };
    const fails = async (user: Who, api: Api, args: Record<string, unknown>) => {
      const r = await py(user, api, args);
      assert.equal(r.ok, false, `${api} ${String(args.op)} should have failed`);
      return r;
    };
    let n = 0;
    const scratch = async (text: string) => {
      const file = join(work.path, `${gen.venv}-${n++}.txt`);
      await writeFile(file, text);
      return file;
    };
    const cache = () => join(work.path, `dl-${gen.venv}-${n++}`);
    const paths = (r: Result) =>
      (r.files as FileRow[])
        .filter((f) => f.type !== "tree")
        .map((f) => f.path)
        .sort();
    // The new SDK is the main judge where it exists; the legacy generation has only its old API.
    const api: Api = gen.venv === "msnew" ? "new" : "legacy";

    before(async () => {
      // Both SDK generations keep a login session in HOME (the legacy one authenticates only so).
      await ok("alice", "legacy", { op: "login", token: who.alice });
      await ok("bob", "legacy", { op: "login", token: who.bob });
    });

    it("upload to revision feature-x creates that branch from master's head; master is unchanged", async () => {
      const id = `alice/${randomName("branch")}`;
      await ok("alice", api, { op: "create_repo", repo_id: id });
      await ok("alice", api, {
        op: "upload_file",
        repo_id: id,
        file: await scratch("on master\n"),
        path_in_repo: "base.txt",
      });
      const masterBefore = paths(await ok("alice", api, { op: "list_files", repo_id: id }));
      await ok("alice", api, {
        op: "upload_file",
        repo_id: id,
        file: await scratch(`feature of ${gen.venv}\n`),
        path_in_repo: "feature.txt",
        revision: "feature-x",
      });
      const branch = paths(await ok("alice", api, { op: "list_files", repo_id: id, revision: "feature-x" }));
      assert.deepEqual(branch, [...masterBefore, "feature.txt"].sort(), "main's files plus the new one");
      const master = paths(await ok("alice", api, { op: "list_files", repo_id: id }));
      assert.deepEqual(master, masterBefore, "master is unchanged");
      for (const [path, text] of [
        ["feature.txt", `feature of ${gen.venv}\n`],
        ["base.txt", "on master\n"],
      ]) {
        const got = await ok("alice", api, {
          op: "file_download",
          repo_id: id,
          file_path: path,
          revision: "feature-x",
          cache_dir: cache(),
        });
        assert.equal(await readFile(String(got.path), "utf8"), text, `${path} from feature-x`);
      }
      await fails("alice", api, {
        op: "file_download",
        repo_id: id,
        file_path: "feature.txt",
        cache_dir: cache(),
      });
      // A second commit to the branch goes on top of it, not on master again.
      await ok("alice", api, {
        op: "upload_file",
        repo_id: id,
        file: await scratch("second\n"),
        path_in_repo: "second.txt",
        revision: "feature-x",
      });
      const again = paths(await ok("alice", api, { op: "list_files", repo_id: id, revision: "feature-x" }));
      assert.deepEqual(again, [...branch, "second.txt"].sort());
    });
  });
}
