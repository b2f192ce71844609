import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  createRepo,
  deleteRepo,
  downloadFile,
  HubApiError,
  listFiles,
  listModels,
  modelInfo,
  pathsInfo,
  repoExists,
  uploadFiles,
  whoAmI,
} from "@huggingface/hub";
import { randomName, sampleFixture, sha256 } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";

/** The judge, npm side: @huggingface/hub (pinned in package.json) against `hubferry serve`. */
let hub: TestHub;
const accessToken = USERS.alice.token;

before(async () => {
  hub = await startTestHub([
    "--multipart-threshold",
    "4MB",
    "--multipart-chunk-size",
    "1MB",
    "--tree-page-size",
    "2",
  ]);
});
after(async () => {
  await hub?.stop();
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function apiError(p: Promise<unknown>): Promise<HubApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof HubApiError, `expected HubApiError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the call to fail");
}

describe("@huggingface/hub against the local hub", () => {
  it("whoAmI returns the user and its token", async () => {
    const me = await whoAmI({ accessToken, hubUrl: hub.url });
    assert.equal(me.name, "alice");
    assert.equal(me.type, "user");
    assert.equal(me.auth.accessToken?.role, "write");
    assert.ok(me.auth.accessToken?.createdAt instanceof Date);
  });

  describe("createRepo, uploadFiles (LFS basic + multipart, Xet offered and declined), read back", () => {
    const name = `alice/${randomName("js")}`;
    const fixture = sampleFixture({ seed: 21 });

    before(async () => {
      const created = await createRepo({ repo: name, accessToken, hubUrl: hub.url });
      assert.equal(created.repoUrl, `${hub.url}/${name}`);
      const before = await hub.stats();
      await uploadFiles({
        repo: name,
        accessToken,
        hubUrl: hub.url,
        files: Object.entries(fixture.files).map(([path, content]) => ({
          path,
          content: new Blob([content]),
        })),
      });
      const after = await hub.stats();
      assert.ok(
        (after["hf.lfs-part"] ?? 0) - (before["hf.lfs-part"] ?? 0) >= 5,
        "the 5 MB file went in parts",
      );
    });

    it("a second createRepo of the same name is a 409 HubApiError", async () => {
      const err = await apiError(createRepo({ repo: name, accessToken, hubUrl: hub.url }));
      assert.equal(err.statusCode, 409);
    });

    it("listFiles (recursive, Link-paginated by 2) lists every file with LFS oids", async () => {
      const files = (
        await collect(listFiles({ repo: name, recursive: true, accessToken, hubUrl: hub.url }))
      ).filter((f) => f.type === "file");
      assert.deepEqual(
        files.map((f) => f.path).sort(),
        [...Object.keys(fixture.files), ".gitattributes"].sort(),
      );
      const big = files.find((f) => f.path === "weights/big.bin");
      assert.equal(big?.lfs?.oid, sha256(fixture.files["weights/big.bin"]!));
      assert.equal(big?.size, fixture.files["weights/big.bin"]!.length);
    });

    it("downloadFile returns every file's exact bytes (regular and LFS through the redirect)", async () => {
      for (const [path, content] of Object.entries(fixture.files)) {
        const blob = await downloadFile({ repo: name, path, accessToken, hubUrl: hub.url });
        assert.ok(blob, `${path} downloaded`);
        assert.ok(Buffer.from(await blob.arrayBuffer()).equals(content), `bytes of ${path}`);
      }
    });

    it("pathsInfo (JSON body) and modelInfo", async () => {
      const info = await pathsInfo({
        repo: name,
        paths: ["config.json", "model.safetensors", "missing"],
        accessToken,
        hubUrl: hub.url,
      });
      assert.deepEqual(info.map((i) => i.path).sort(), ["config.json", "model.safetensors"]);
      const m = await modelInfo({ name, accessToken, hubUrl: hub.url, additionalFields: ["sha"] });
      assert.equal(m.name, name);
      assert.match(String((m as { sha?: string }).sha), /^[0-9a-f]{40}$/);
      assert.equal(m.private, false);
    });

    it("uploadFiles with useXet:false goes straight to LFS too", async () => {
      const content = Buffer.from(sha256(Buffer.from("x")).repeat(1000));
      await uploadFiles({
        repo: name,
        accessToken,
        hubUrl: hub.url,
        useXet: false,
        files: [{ path: "extra/data.safetensors", content: new Blob([content]) }],
      });
      const blob = await downloadFile({
        repo: name,
        path: "extra/data.safetensors",
        accessToken,
        hubUrl: hub.url,
      });
      assert.ok(blob && Buffer.from(await blob.arrayBuffer()).equals(content));
    });
  });

  it("listModels with a search query", async () => {
    const tag = randomName("jsfind");
    for (const n of [`${tag}-1`, `${tag}-2`])
      await createRepo({ repo: `alice/${n}`, accessToken, hubUrl: hub.url });
    const found = await collect(listModels({ search: { query: tag }, hubUrl: hub.url, accessToken }));
    assert.deepEqual(found.map((m) => m.name).sort(), [`alice/${tag}-1`, `alice/${tag}-2`]);
    assert.ok(found.every((m) => typeof m.id === "string" && m.updatedAt instanceof Date));
  });

  it("deleteRepo removes it; repoExists says so", async () => {
    const name = `alice/${randomName("del")}`;
    await createRepo({ repo: name, accessToken, hubUrl: hub.url });
    assert.equal(await repoExists({ repo: name, accessToken, hubUrl: hub.url }), true);
    await deleteRepo({ repo: name, accessToken, hubUrl: hub.url });
    assert.equal(await repoExists({ repo: name, accessToken, hubUrl: hub.url }), false);
  });

  describe("negative cases", () => {
    const privateName = `alice/${randomName("jspriv")}`;
    before(async () => {
      await createRepo({ repo: privateName, accessToken, hubUrl: hub.url, private: true });
    });

    it("a wrong token: 401 HubApiError", async () => {
      const err = await apiError(whoAmI({ accessToken: "hf_not_a_real_token", hubUrl: hub.url }));
      assert.equal(err.statusCode, 401);
    });

    it("a private repo without a token (401) or as another user (404): repoExists is false", async () => {
      const anon = await apiError(modelInfo({ name: privateName, hubUrl: hub.url }));
      assert.equal(anon.statusCode, 401);
      assert.equal(await repoExists({ repo: privateName, hubUrl: hub.url }), false);
      const bob = await apiError(
        modelInfo({ name: privateName, hubUrl: hub.url, accessToken: USERS.bob.token }),
      );
      assert.equal(bob.statusCode, 404);
    });

    it("a missing revision: 404 HubApiError", async () => {
      const err = await apiError(
        modelInfo({ name: privateName, accessToken, hubUrl: hub.url, revision: "nope" }),
      );
      assert.equal(err.statusCode, 404);
    });

    it("a missing file: downloadFile returns null", async () => {
      assert.equal(
        await downloadFile({ repo: privateName, path: "nope.bin", accessToken, hubUrl: hub.url }),
        null,
      );
    });
  });
});
