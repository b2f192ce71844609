import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readTree, sampleFixture, sha256, treeDiff, writeFixture } from "../helpers/fixtures.js";
import { ORG, startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { mirrorUsersYaml } from "../helpers/mirror-users.js";
import { runPython } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The ModelScope face as a pull-through mirror: a local hub plays modelscope.cn, a second one
 * mirrors it (`--mirror ms=URL`), and both generations of the official `modelscope` SDK download
 * through the mirror.
 */

const MIRROR_USERS = { carol: "ms-carol-mirror-token-0001" };
const GENERATIONS = [
  { venv: "ms137", legacy: true },
  { venv: "msnew", legacy: false },
] as const;

let upstream: TestHub;
let mirror: TestHub;
let work: { path: string; cleanup: () => Promise<void> };
const model = sampleFixture({ multipartBytes: 2_500_000, seed: 41 });
const dataset = sampleFixture({ multipartBytes: 200_000, seed: 42 });
const MODEL = "alice/ms-mirrored";
const DATASET = `${ORG}/ms-mirrored-data`;

type Result = Record<string, unknown> & { ok: boolean; error?: string; message?: string; trace?: string };
let calls = 0;

function sdk(venv: string, endpoint: string, args: Record<string, unknown>, token?: string): Promise<Result> {
  const n = calls++;
  return runPython<Result>(
    venv,
    "ms_client.py",
    { endpoint, ...args },
    {
      HOME: join(work.path, `home-${n}`),
      MODELSCOPE_CACHE: join(work.path, `cache-${n}`),
      INTRA_CLOUD_ACCELERATION: "false",
      MODELSCOPE_DOWNLOAD_INTRA_CLOUD: "false",
      MODELSCOPE_ENDPOINT: endpoint,
      ...(token ? { MODELSCOPE_API_TOKEN: token } : {}),
    },
  );
}

async function ok(venv: string, endpoint: string, args: Record<string, unknown>, token?: string) {
  const r = await sdk(venv, endpoint, args, token);
  assert.equal(r.ok, true, `${String(args.op)} failed: ${r.error}: ${r.message}\n${r.trace}`);
  return r;
}

/** Files the SDKs leave beside what they download. */
const sdkArtifact = (p: string) =>
  p === ".gitattributes" || /(^|\/)(\.msc|\.mv|\.mdl|\._____temp|\.cache)(\/|$)/.test(p);

before(async () => {
  work = await tempDir("msmirror");
  upstream = await startTestHub();
  for (const [id, files, type] of [
    [MODEL, model, "model"],
    [DATASET, dataset, "dataset"],
  ] as const) {
    const folder = join(work.path, id.replace("/", "_"));
    await writeFixture(folder, files);
    await ok("msnew", upstream.url, { op: "create_repo", repo_id: id, repo_type: type }, USERS.alice.msToken);
    await ok(
      "msnew",
      upstream.url,
      { op: "upload_folder", repo_id: id, folder, repo_type: type },
      USERS.alice.msToken,
    );
  }
  const tokenFile = join(work.path, "ms-token");
  await writeFile(tokenFile, USERS.alice.msToken, { mode: 0o600 });
  mirror = await startTestHub(["--mirror", `ms=${upstream.url}`, "--upstream-token", `ms=@${tokenFile}`], {
    usersYaml: mirrorUsersYaml([{ name: "carol", token: MIRROR_USERS.carol }]),
  });
});

after(async () => {
  await mirror?.stop();
  await upstream?.stop();
  await work?.cleanup();
});

describe("serve --mirror ms=URL (the modelscope SDKs through the mirror)", () => {
  for (const gen of GENERATIONS) {
    it(`modelscope ${gen.legacy ? "1.37 (legacy)" : "1.40 + modelscope-hub"}: snapshot_download of a model and a dataset is byte-identical`, async () => {
      for (const [id, files, type] of [
        [MODEL, model, "model"],
        [DATASET, dataset, "dataset"],
      ] as const) {
        const dir = join(work.path, `snap-${gen.venv}-${type}`);
        await ok(gen.venv, mirror.url, {
          op: "snapshot_download",
          repo_id: id,
          repo_type: type,
          local_dir: dir,
        });
        assert.deepEqual(treeDiff(files.files, await readTree(dir, sdkArtifact)), [], `${type} ${id}`);
      }
    });
  }

  it("the mirror's store holds every file once, checked against upstream's sha256", async () => {
    for (const data of [model.files["weights/big.bin"]!, dataset.files["model.safetensors"]!]) {
      const h = sha256(data);
      assert.ok(existsSync(join(mirror.root, "blobs", h.slice(0, 2), h.slice(2, 4), h)));
    }
  });

  it("serve --mirror-max-size prunes the least recently used mirrored files after a download burst", async () => {
    const small = await startTestHub(["--mirror", `ms=${upstream.url}`, "--mirror-max-size", "1"], {
      usersYaml: mirrorUsersYaml(),
    });
    try {
      const big = model.files["weights/big.bin"]!;
      const h = sha256(big);
      const blob = join(small.root, "blobs", h.slice(0, 2), h.slice(2, 4), h);
      const dir = join(work.path, "snap-pruned");
      await ok("msnew", small.url, { op: "snapshot_download", repo_id: MODEL, local_dir: dir });
      assert.deepEqual(treeDiff(model.files, await readTree(dir, sdkArtifact)), []);
      const deadline = Date.now() + 30_000;
      while (existsSync(blob) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
      assert.equal(existsSync(blob), false, "pruned back under the limit");
      const again = join(work.path, "snap-refetched");
      await ok("msnew", small.url, { op: "snapshot_download", repo_id: MODEL, local_dir: again });
      assert.deepEqual(treeDiff(model.files, await readTree(again, sdkArtifact)), [], "fetched again, whole");
    } finally {
      await small.stop();
    }
  });

  it("a write to a mirrored ModelScope repo is refused with what to do", async () => {
    const file = join(work.path, "note.txt");
    await writeFile(file, "hello\n");
    const r = await sdk(
      "msnew",
      mirror.url,
      { op: "upload_file", file, path_in_repo: "note.txt", repo_id: MODEL },
      MIRROR_USERS.carol,
    );
    assert.equal(r.ok, false);
    assert.match(`${r.message}`, /mirrored from .* read-only here/);
  });
});
