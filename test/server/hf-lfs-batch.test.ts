import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pseudoRandom, randomName, sha256 } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { seedHf } from "../helpers/seed.js";

/**
 * The git-lfs batch API of the HF face as git-lfs speaks it (download and upload operations,
 * per-object errors) and the preupload call's validation. Raw HTTP: these are what a git-lfs
 * client, not huggingface_hub, sends.
 */
let hub: TestHub;
const repo = `alice/${randomName("lfsb")}`;
const weights = pseudoRandom(150_000, 41);
const LFS = "application/vnd.git-lfs+json";

before(async () => {
  hub = await startTestHub();
  await seedHf(hub.url, USERS.alice.token, { type: "model", name: repo }, { "w.safetensors": weights });
});
after(async () => {
  await hub?.stop();
});

/** `token: null` sends no Authorization header. */
function batch(body: unknown, token: string | null = USERS.alice.token): Promise<Response> {
  return fetch(`${hub.url}/${repo}.git/info/lfs/objects/batch`, {
    method: "POST",
    headers: {
      accept: LFS,
      "content-type": LFS,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

interface BatchObject {
  oid: string;
  size: number;
  error?: { code: number; message: string };
  actions?: { download?: { href: string } };
}

describe("HF git-lfs batch", () => {
  it("download: a stored object gets a link that serves its exact bytes; anonymous readers of a public repo too", async () => {
    const oid = sha256(weights);
    for (const token of [USERS.alice.token, null]) {
      const res = await batch({ operation: "download", objects: [{ oid, size: weights.length }] }, token);
      assert.equal(res.status, 200, await res.clone().text());
      const { objects } = (await res.json()) as { objects: BatchObject[] };
      assert.equal(objects[0]?.oid, oid);
      assert.equal(objects[0]?.size, weights.length);
      const href = objects[0]?.actions?.download?.href;
      assert.ok(href, JSON.stringify(objects));
      const bytes = Buffer.from(await (await fetch(href)).arrayBuffer());
      assert.ok(bytes.equals(weights));
    }
  });

  it("download: an object the repo does not hold is a per-object 404; a malformed oid a per-object 422", async () => {
    const res = await batch({
      operation: "download",
      objects: [
        { oid: "a".repeat(64), size: 10 },
        { oid: "not-a-sha", size: 10 },
      ],
    });
    assert.equal(res.status, 200);
    const { objects } = (await res.json()) as { objects: BatchObject[] };
    assert.equal(objects[0]?.error?.code, 404);
    assert.equal(objects[0]?.actions, undefined);
    assert.equal(objects[1]?.error?.code, 422);
  });

  it("a body that is not a batch request, or another hash algorithm, is 422 with a message", async () => {
    const bad = await batch({ operation: "fetch", objects: [] });
    assert.equal(bad.status, 422);
    assert.match(await bad.text(), /Invalid LFS batch request/);
    const algo = await batch({ operation: "download", hash_algo: "sha512", objects: [] });
    assert.equal(algo.status, 422);
    assert.match(await algo.text(), /sha512.*use sha256/);
  });

  it("upload to a branch needs a write token of the namespace; without a ref (a new PR) any write token", async () => {
    const objects = [{ oid: sha256(Buffer.from("new")), size: 3 }];
    const main = { name: "main" };
    assert.equal((await batch({ operation: "upload", objects, ref: main }, USERS.bob.token)).status, 403);
    assert.equal((await batch({ operation: "upload", objects, ref: main })).status, 200);
    // How huggingface_hub and @huggingface/hub upload for create_pr: no ref, open to non-owners.
    assert.equal((await batch({ operation: "upload", objects }, USERS.bob.token)).status, 200);
    assert.equal((await batch({ operation: "upload", objects }, USERS.reader.token)).status, 403);
    assert.equal((await batch({ operation: "upload", objects }, null)).status, 401);
    assert.equal((await batch({ operation: "upload", objects })).status, 200);
  });

  it("preupload with a body of the wrong shape is 400 naming the problem", async () => {
    const res = await fetch(`${hub.url}/api/models/${repo}/preupload/main`, {
      method: "POST",
      headers: { authorization: `Bearer ${USERS.alice.token}`, "content-type": "application/json" },
      body: JSON.stringify({ files: [{ path: 5 }] }),
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Invalid preupload body/);
  });
});
