import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { randomName, readTree, sampleFixture, sha256, treeDiff, writeFixture } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { run, runPython, venvBin } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The judge for the ModelScope face: the official `modelscope` SDK in both generations, pinned in
 * test/interop/python/requirements-ms137.txt (legacy, hub in-tree) and requirements-msnew.txt
 * (modelscope + modelscope-hub). Every download is byte-compared with what was uploaded.
 *
 * Credentials: the legacy SDK sends the token only as a cookie whose domain it builds from the
 * endpoint's netloc; Python never sends a cookie whose domain carries a port, so against
 * http://127.0.0.1:PORT it authenticates through the cookie that `login` receives (as a user who
 * ran `modelscope login` does). The new SDK also sends `Authorization: Bearer`, so
 * MODELSCOPE_API_TOKEN works on its own.
 */
const GENERATIONS = [
  { venv: "ms137", version: "1.37.1", hub: null, legacy: true },
  { venv: "msnew", version: "1.40.2", hub: "0.5.1", legacy: false },
] as const;

type Result = Record<string, unknown> & { ok: boolean; error?: string; mro?: string[]; message?: string };

let hub: TestHub;
let work: { path: string; cleanup: () => Promise<void> };

before(async () => {
  hub = await startTestHub();
  work = await tempDir("mspy");
});
after(async () => {
  await hub?.stop();
  await work?.cleanup();
});

/** Files the SDKs leave next to what they upload or download (caches, resume state). */
const sdkArtifact = (p: string) =>
  p === ".gitattributes" ||
  /(^|\/)(\.msc|\.mv|\.mdl|\._____temp|\.ms_upload_cache|\.ms_upload_progress|\.cache)(\/|$)/.test(p);

for (const gen of GENERATIONS) {
  describe(`modelscope ${gen.version}${gen.hub ? ` + modelscope-hub ${gen.hub}` : " (legacy, in-tree hub)"}`, () => {
    const home = () => join(work.path, `home-${gen.venv}`);
    const env = (extra: Record<string, string> = {}): Record<string, string> => ({
      HOME: home(),
      MODELSCOPE_CACHE: join(work.path, `cache-${gen.venv}`),
      INTRA_CLOUD_ACCELERATION: "false",
      MODELSCOPE_DOWNLOAD_INTRA_CLOUD: "false",
      ...(gen.legacy ? {} : { MODELSCOPE_ENDPOINT: hub.url }),
      ...extra,
    });
    const py = (args: Record<string, unknown>, extra?: Record<string, string>) =>
      runPython<Result>(gen.venv, "ms_client.py", { endpoint: hub.url, ...args }, env(extra));
    const ok = async (args: Record<string, unknown>, extra?: Record<string, string>) => {
      const r = await py(args, extra);
      assert.equal(r.ok, true, `${String(args.op)} failed: ${r.error}: ${r.message}\n${r.trace}`);
      return r;
    };
    const owner = gen.legacy ? "alice" : "acme";
    const modelId = `${owner}/${randomName("model")}`;
    const datasetId = `${owner}/${randomName("dataset")}`;
    const fixture = sampleFixture({ seed: gen.legacy ? 31 : 32, multipartBytes: 1_500_000 });
    let folder: string;

    before(async () => {
      folder = join(work.path, `src-${gen.venv}`);
      await writeFixture(folder, fixture);
    });

    it("is the pinned version", async () => {
      const r = await ok({ op: "version" });
      assert.equal(r.version, gen.version);
      assert.equal(r.hub_version, gen.hub);
    });

    it("HubApi().login(token) succeeds and persists the session for later processes", async () => {
      await ok({ op: "login", token: USERS.alice.msToken });
      // The persisted cookie jar holds a session id, never the access token.
      const stored = await ok({ op: "stored_token" });
      assert.equal(typeof stored.token, "string");
      assert.notEqual(stored.token, USERS.alice.msToken);
    });

    if (!gen.legacy) {
      it("whoami (GET /openapi/v1/users/me) names the user, with MODELSCOPE_API_TOKEN alone", async () => {
        const r = await ok(
          { op: "whoami" },
          { HOME: join(work.path, "fresh-home"), MODELSCOPE_API_TOKEN: USERS.alice.msToken },
        );
        assert.equal(r.username, "alice");
      });
    }

    it("create_repo: a model and a dataset, exist_ok, and the 'already exists' error", async () => {
      const extra = gen.legacy ? { create_default_config: false } : {};
      await ok({ op: "create_repo", repo_id: modelId, exist_ok: true, ...extra });
      await ok({ op: "create_repo", repo_id: modelId, exist_ok: true, ...extra });
      await ok({ op: "create_repo", repo_id: datasetId, repo_type: "dataset", exist_ok: true });
      const dup = await py({ op: "create_repo", repo_id: datasetId, repo_type: "dataset", exist_ok: false });
      assert.equal(dup.ok, false);
      assert.equal(dup.error, gen.legacy ? "ValueError" : "AlreadyExistsError");
      assert.equal((await ok({ op: "repo_exists", repo_id: modelId })).exists, true);
      assert.equal(
        (await ok({ op: "repo_exists", repo_id: `${owner}/nope-${randomName("x")}` })).exists,
        false,
      );
    });

    it("upload_folder (small, LFS-suffix and >1 MiB files), then snapshot_download gives back every byte", async () => {
      const before = await hub.stats();
      await ok({ op: "upload_folder", repo_id: modelId, folder, message: "first upload" });
      const mid = await hub.stats();
      assert.ok(
        (mid["ms.blob-put"] ?? 0) > (before["ms.blob-put"] ?? 0),
        "LFS blobs went through the blob PUT",
      );
      const r = await ok({
        op: "snapshot_download",
        repo_id: modelId,
        cache_dir: join(work.path, `snap-${gen.venv}`),
      });
      const got = await readTree(String(r.path), sdkArtifact);
      assert.deepEqual(treeDiff(fixture.files, got), []);
    });

    it("a re-run of upload_folder uploads no blob again", async () => {
      const before = await hub.stats();
      await ok({ op: "upload_folder", repo_id: modelId, folder, message: "again" });
      const after = await hub.stats();
      assert.equal((after["ms.blob-put"] ?? 0) - (before["ms.blob-put"] ?? 0), 0);
    });

    it("lists the files with content sha256 and sizes", async () => {
      const r = await ok(
        gen.legacy
          ? { op: "list_model_files", repo_id: modelId }
          : { op: "list_repo_files", repo_id: modelId },
      );
      const files = (r.files as { path: string; type: string; size: number; sha256: string }[]).filter(
        (f) => f.type === "blob",
      );
      for (const [path, content] of Object.entries(fixture.files)) {
        const f = files.find((x) => x.path === path);
        assert.ok(f, `${path} listed`);
        assert.equal(f.size, content.length);
        assert.equal(f.sha256, sha256(content), `sha256 of ${path}`);
      }
    });

    it("lists and searches the owner's models and datasets as the SDK offers it", async () => {
      const models = await ok(
        gen.legacy
          ? { op: "list_models", legacy: true, owner, page_size: 50 }
          : { op: "list_models", owner, page_size: 50 },
      );
      assert.ok((models.ids as string[]).includes(modelId), `model listed: ${JSON.stringify(models.ids)}`);
      const datasets = await ok(
        gen.legacy
          ? { op: "list_datasets", owner, page_size: 50 }
          : {
              op: "list_models",
              repo_type: "dataset",
              owner,
              search: datasetId.split("/")[1],
              page_size: 50,
            },
      );
      assert.deepEqual(datasets.ids, [datasetId]);
    });

    it("upload_file, then model_file_download returns those bytes", async () => {
      const file = join(work.path, `single-${gen.venv}.json`);
      await writeFile(file, `{"single": "${gen.venv}"}\n`);
      await ok({ op: "upload_file", repo_id: modelId, file, path_in_repo: "extra/single.json" });
      const r = await ok({
        op: "file_download",
        repo_id: modelId,
        file_path: "extra/single.json",
        cache_dir: join(work.path, `one-${gen.venv}`),
      });
      assert.equal(await readFile(String(r.path), "utf8"), `{"single": "${gen.venv}"}\n`);
      const big = await ok({
        op: "file_download",
        repo_id: modelId,
        file_path: "weights/big.bin",
        cache_dir: join(work.path, `one-${gen.venv}`),
      });
      assert.equal(sha256(await readFile(String(big.path))), sha256(fixture.files["weights/big.bin"]!));
    });

    // 1.37 sends DELETE .../file?FilePath= with its login cookie (a token alone is refused, as on the
    // site); modelscope-hub commits delete actions with the token.
    it("delete_files removes the file and the listing no longer has it", async () => {
      const file = join(work.path, `doomed-${gen.venv}.txt`);
      await writeFile(file, "doomed\n");
      await ok({ op: "upload_file", repo_id: modelId, file, path_in_repo: "extra/doomed.txt" });
      const r = await ok({ op: "delete_files", repo_id: modelId, patterns: ["extra/doomed.txt"] });
      assert.deepEqual(r.deleted, ["extra/doomed.txt"]);
      assert.deepEqual(r.failed, []);
      const listed = await ok(
        gen.legacy
          ? { op: "list_model_files", repo_id: modelId }
          : { op: "list_repo_files", repo_id: modelId },
      );
      const paths = (listed.files as { path: string }[]).map((f) => f.path);
      assert.ok(!paths.includes("extra/doomed.txt"), `still listed: ${paths.join(", ")}`);
      assert.ok(paths.includes("extra/single.json"));
    });

    it("a dataset: upload_folder, dataset_snapshot_download and dataset_file_download byte for byte", async () => {
      await ok({ op: "upload_folder", repo_id: datasetId, repo_type: "dataset", folder });
      const r = await ok({
        op: "snapshot_download",
        repo_id: datasetId,
        repo_type: "dataset",
        cache_dir: join(work.path, `dsnap-${gen.venv}`),
      });
      assert.deepEqual(treeDiff(fixture.files, await readTree(String(r.path), sdkArtifact)), []);
      const one = await ok({
        op: "file_download",
        repo_id: datasetId,
        repo_type: "dataset",
        file_path: "nested/deep/notes.txt",
        cache_dir: join(work.path, `done-${gen.venv}`),
      });
      assert.deepEqual(await readFile(String(one.path)), fixture.files["nested/deep/notes.txt"]);
    });

    it("the modelscope CLI uploads a folder and downloads it back", async () => {
      const cli = venvBin(gen.venv, "modelscope");
      const id = `${owner}/${randomName("cli")}`;
      const small = sampleFixture({ seed: 40, multipartBytes: 20_000 });
      const src = join(work.path, `cli-src-${gen.venv}`);
      await writeFixture(src, small);
      const endpoint = gen.legacy ? ["--endpoint", hub.url] : [];
      const up = await run(cli, ["upload", id, src, ...endpoint], env());
      assert.equal(up.code, 0, `modelscope upload failed: ${up.stdout}\n${up.stderr}`);
      const dest = join(work.path, `cli-dest-${gen.venv}`);
      const down = await run(
        cli,
        [
          "download",
          ...(gen.legacy ? ["--model", id, "--local_dir", dest] : [id, "--local-dir", dest]),
          ...endpoint,
        ],
        env(),
      );
      assert.equal(down.code, 0, `modelscope download failed: ${down.stdout}\n${down.stderr}`);
      assert.deepEqual(treeDiff(small.files, await readTree(dest, sdkArtifact)), []);
    });

    describe("negative cases", () => {
      const privateId = `${owner}/${randomName("private")}`;
      before(async () => {
        await ok({
          op: "create_repo",
          repo_id: privateId,
          visibility: "private",
          exist_ok: true,
          ...(gen.legacy ? { create_default_config: false } : {}),
        });
        const file = join(work.path, `secret-${gen.venv}.txt`);
        await writeFile(file, "private bytes\n");
        await ok({ op: "upload_file", repo_id: privateId, file, path_in_repo: "secret.txt" });
      });

      it("a bad token: login fails", async () => {
        const r = await py(
          { op: "login", token: "ms-not-a-real-token" },
          { HOME: join(work.path, `bad-${gen.venv}`) },
        );
        assert.equal(r.ok, false);
        assert.equal(r.error, gen.legacy ? "HTTPError" : "AuthenticationError");
        assert.match(String(r.message), /401/);
      });

      it("a missing repo: get_model raises, snapshot_download raises", async () => {
        const info = await py({ op: "get_model", repo_id: `${owner}/does-not-exist` });
        assert.equal(info.ok, false);
        assert.equal(info.error, gen.legacy ? "HTTPError" : "NotExistError");
        const snap = await py({
          op: "snapshot_download",
          repo_id: `${owner}/does-not-exist`,
          cache_dir: join(work.path, "nope"),
        });
        assert.equal(snap.ok, false);
        assert.match(String(snap.message), /does not exist|404/);
      });

      it("a missing file: model_file_download raises", async () => {
        const r = await py({
          op: "file_download",
          repo_id: modelId,
          file_path: "no/such/file.txt",
          cache_dir: join(work.path, "nf"),
        });
        assert.equal(r.ok, false);
        assert.equal(r.error, gen.legacy ? "NotExistError" : "HTTPError");
      });

      it("a private repo without a token: not found, and its bytes never leak", async () => {
        const anon = { HOME: join(work.path, `anon-${gen.venv}`) };
        const r = await py(
          {
            op: "file_download",
            repo_id: privateId,
            file_path: "secret.txt",
            cache_dir: join(work.path, `anon-dl-${gen.venv}`),
          },
          anon,
        );
        assert.equal(r.ok, false);
        assert.match(String(r.message), /does not exist|404|not exist/);
        assert.equal((await ok({ op: "repo_exists", repo_id: privateId }, anon)).exists, false);
        assert.equal((await ok({ op: "repo_exists", repo_id: privateId })).exists, true);
      });
    });
  });
}
