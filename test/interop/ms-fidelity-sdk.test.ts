import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pseudoRandom, randomName, writeFixture } from "../helpers/fixtures.js";
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

/** A 403 as each SDK words it (modelscope 1.37.1 says only this for any 403). */
const FORBIDDEN = /\b403\b|permission|Authentication token does not exist or invalid/i;

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
      if (api === "new") {
        const snap = await ok("alice", api, {
          op: "snapshot_download",
          repo_id: id,
          revision: "feature-x",
          cache_dir: cache(),
        });
        assert.equal(
          await readFile(join(String(snap.path), "feature.txt"), "utf8"),
          `feature of ${gen.venv}\n`,
        );
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
      const bad = await fails("alice", api, {
        op: "upload_file",
        repo_id: id,
        file: await scratch("nowhere\n"),
        path_in_repo: "bad.txt",
        revision: "bad..name",
      });
      assert.match(String(bad.message), /invalid branch name "bad\.\.name"/);
    });

    it("upload_folder of small, threshold-sized inline and big files commits within the body limits", async () => {
      // At most 10 files: modelscope 1.37.1 commits them in one batch, files up to 1 MiB inline
      // (9.4 MiB of base64 here); modelscope-hub inlines up to 64 KiB, config.json always.
      const files: Record<string, Buffer> = {
        "README.md": Buffer.from("# limits\n"),
        "config.json": Buffer.from(`{"pad": "${"c".repeat(1_500_000)}"}\n`),
        "weights/big.bin": pseudoRandom(3_000_000, 7),
      };
      for (let i = 0; i < 7; i++) files[`texts/t${i}.txt`] = pseudoRandom(1024 * 1024, 10 + i);
      const folder = join(work.path, `folder-${gen.venv}`);
      await writeFixture(folder, { files });
      const id = `alice/${randomName("folder")}`;
      await ok("alice", api, { op: "create_repo", repo_id: id });
      await ok("alice", api, { op: "upload_folder", repo_id: id, folder });
      const listed = (await ok("alice", api, { op: "list_files", repo_id: id })).files as FileRow[];
      for (const [path, content] of Object.entries(files)) {
        const row = listed.find((f) => f.path === path);
        assert.ok(row, `${path} listed`);
        assert.equal(row.size, content.length, path);
        assert.equal(row.sha256, createHash("sha256").update(content).digest("hex"), path);
      }
      const got = await ok("alice", api, {
        op: "file_download",
        repo_id: id,
        file_path: "texts/t3.txt",
        cache_dir: cache(),
      });
      assert.deepEqual(await readFile(String(got.path)), files["texts/t3.txt"]);
    });

    for (const via of gen.apis) {
      const label = `${via === "new" ? "modelscope_hub.HubApi" : "modelscope.hub.api.HubApi"}`;

      it(`${label}: a new model has a README.md carrying its licence, which the SDK downloads`, async () => {
        const id = `alice/${randomName("readme")}`;
        await ok("alice", via, { op: "create_model", repo_id: id, license: "Apache License 2.0" });
        const listed = paths(await ok("alice", via, { op: "list_files", repo_id: id }));
        assert.ok(listed.includes("README.md"), `README.md listed: ${listed}`);
        const got = await ok("alice", via, {
          op: "file_download",
          repo_id: id,
          file_path: "README.md",
          cache_dir: cache(),
        });
        // The new SDK sends the licence as an SPDX id; the legacy one as the display name.
        const licence = via === "new" || gen.venv === "msnew" ? "apache-2.0" : "Apache License 2.0";
        assert.equal(
          await readFile(String(got.path), "utf8"),
          `---\nlicense: ${JSON.stringify(licence)}\n---\n# ${id.split("/")[1]}\n`,
        );
      });

      it(`${label}: a tag on master is listed with the branches, downloads, and is no commit target`, async () => {
        const id = `alice/${randomName("tag")}`;
        await ok("alice", via, { op: "create_model", repo_id: id, license: "MIT License" });
        await ok("alice", via, {
          op: "upload_file",
          repo_id: id,
          file: await scratch("tagged\n"),
          path_in_repo: "tagged.txt",
        });
        await ok("alice", via, { op: "create_tag", repo_id: id, tag: "v1.0" });
        const dup = await fails("alice", via, { op: "create_tag", repo_id: id, tag: "v1.0" });
        // modelscope 1.37.1 reports only the status of a 4xx other than 403/404.
        assert.match(String(dup.message), gen.venv === "ms137" ? /^400 Client Error/ : /already exists/);
        const byBob = await fails("bob", via, { op: "create_tag", repo_id: id, tag: "v2" });
        assert.match(String(byBob.message), FORBIDDEN);
        const revs = await ok("alice", via, { op: "list_revisions", repo_id: id });
        if (via === "new") assert.deepEqual([...(revs.revisions as string[])].sort(), ["master", "v1.0"]);
        else {
          assert.deepEqual(revs.branches, ["master"]);
          assert.deepEqual(revs.tags, ["v1.0"]);
        }
        // Later commits to master leave the tag where it was.
        await ok("alice", via, {
          op: "upload_file",
          repo_id: id,
          file: await scratch("after the tag\n"),
          path_in_repo: "later.txt",
        });
        const atTag = paths(await ok("alice", via, { op: "list_files", repo_id: id, revision: "v1.0" }));
        assert.ok(atTag.includes("tagged.txt") && !atTag.includes("later.txt"), `files at v1.0: ${atTag}`);
        const got = await ok("alice", via, {
          op: "file_download",
          repo_id: id,
          file_path: "tagged.txt",
          revision: "v1.0",
          cache_dir: cache(),
        });
        assert.equal(await readFile(String(got.path), "utf8"), "tagged\n");
        const onTag = await fails("alice", via, {
          op: "upload_file",
          repo_id: id,
          file: await scratch("onto a tag\n"),
          path_in_repo: "x.txt",
          revision: "v1.0",
        });
        assert.match(String(onTag.message), /is a tag; commit to a branch/);
      });

      it(`${label}: delete_repo: only the owning namespace's members may; anonymous and others are refused`, async () => {
        for (const [id, type] of [
          [`alice/${randomName("del")}`, "model"],
          [`acme/${randomName("del")}`, "model"],
          [`alice/${randomName("deld")}`, "dataset"],
        ] as const) {
          await ok("alice", via, { op: "create_repo", repo_id: id, repo_type: type });
          const byBob = await fails("bob", via, { op: "delete_repo", repo_id: id, repo_type: type });
          assert.match(String(byBob.message), FORBIDDEN, `bob deleting ${id}`);
          const anon = await fails("anon", via, { op: "delete_repo", repo_id: id, repo_type: type });
          assert.match(String(anon.message), /401|login|not logged in|token/i, `anonymous deleting ${id}`);
          assert.equal(
            (await ok("alice", via, { op: "repo_exists", repo_id: id, repo_type: type })).exists,
            true,
          );
          await ok("alice", via, { op: "delete_repo", repo_id: id, repo_type: type });
          assert.equal(
            (await ok("alice", via, { op: "repo_exists", repo_id: id, repo_type: type })).exists,
            false,
          );
        }
      });
    }

    it("a dataset: files listed per revision (master, a new branch) with sizes and content sha256", async () => {
      const id = `alice/${randomName("dsrev")}`;
      await ok("alice", api, { op: "create_repo", repo_id: id, repo_type: "dataset" });
      const text = "a,b\n1,2\n";
      await ok("alice", api, {
        op: "upload_file",
        repo_id: id,
        repo_type: "dataset",
        file: await scratch(text),
        path_in_repo: "data/train.csv",
        revision: "dev",
      });
      const dev = (
        await ok("alice", api, { op: "list_files", repo_id: id, repo_type: "dataset", revision: "dev" })
      ).files as FileRow[];
      const row = dev.find((f) => f.path === "data/train.csv");
      assert.ok(row, `listed on dev: ${JSON.stringify(dev)}`);
      assert.equal(row.size, text.length);
      assert.equal(row.sha256, createHash("sha256").update(text).digest("hex"));
      const master = (await ok("alice", api, { op: "list_files", repo_id: id, repo_type: "dataset" }))
        .files as FileRow[];
      assert.equal(
        master.some((f) => f.path === "data/train.csv"),
        false,
      );
      const got = await ok("alice", api, {
        op: "file_download",
        repo_id: id,
        repo_type: "dataset",
        file_path: "data/train.csv",
        revision: "dev",
        cache_dir: cache(),
      });
      assert.equal(await readFile(String(got.path), "utf8"), text);
    });
  });
}
