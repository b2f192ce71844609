import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { randomName } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";

/** ModelScope face: the site's behaviour the SDKs rely on, over raw HTTP with the SDKs' requests. */
let hub: TestHub;
const alice = { authorization: `Bearer ${USERS.alice.msToken}` };
const bob = { authorization: `Bearer ${USERS.bob.msToken}` };

before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.stop();
});

async function call(method: string, path: string, body?: unknown, headers = alice) {
  const res = await fetch(`${hub.url}${path}`, {
    method,
    headers: { ...headers, ...(body ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: (text.startsWith("{") ? JSON.parse(text) : {}) as Record<string, unknown>,
  };
}

async function createModel(name: string): Promise<string> {
  const r = await call("POST", "/api/v1/models", {
    Path: "alice",
    Name: name,
    Visibility: 5,
    License: "Apache License 2.0",
  });
  assert.equal(r.status, 200, r.text);
  return `alice/${name}`;
}

describe("ModelScope face: fidelity", () => {
  it("a new model has a README.md carrying its licence", async () => {
    const id = await createModel(randomName("readme"));
    const r = await call("GET", `/api/v1/models/${id}/repo?FilePath=README.md&Revision=master`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /^---\nlicense: "Apache License 2\.0"\n---\n/);
  });

  it("POST .../repo/tag {TagName, Ref} creates a tag the revisions list shows", async () => {
    const id = await createModel(randomName("tag"));
    const r = await call("POST", `/api/v1/models/${id}/repo/tag`, { TagName: "v1.0", Ref: "master" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.Success, true);
    const again = await call("POST", `/api/v1/models/${id}/repo/tag`, { TagName: "v1.0", Ref: "master" });
    assert.equal(again.status, 400);
    const revs = await call("GET", `/api/v1/models/${id}/revisions`);
    assert.match(revs.text, /v1\.0/);
    const bobTag = await call("POST", `/api/v1/models/${id}/repo/tag`, { TagName: "v2", Ref: "master" }, bob);
    assert.equal(bobTag.status, 403);
  });

  it("DELETE /api/v1/models/{owner}/{name}: only the owner may; afterwards it is gone", async () => {
    const id = await createModel(randomName("del"));
    const byBob = await call("DELETE", `/api/v1/models/${id}`, undefined, bob);
    assert.equal(byBob.status, 403);
    const anon = await call("DELETE", `/api/v1/models/${id}`, undefined, {} as typeof alice);
    assert.ok([401, 403].includes(anon.status), String(anon.status));
    const byAlice = await call("DELETE", `/api/v1/models/${id}`);
    assert.equal(byAlice.status, 200, byAlice.text);
    const info = await call("GET", `/api/v1/models/${id}`);
    assert.equal(info.status, 404);
  });
});
