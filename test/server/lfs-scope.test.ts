import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createRepo, downloadFile, uploadFiles } from "@huggingface/hub";
import { pseudoRandom, randomName, sha256 } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * LFS objects belong to repos, not to the shared blob store: knowing another user's file hash and
 * size must not let anyone commit a pointer to it (on either face) or learn that it exists.
 * Honest uploads with the official JS client still work and dedupe within a repo.
 */
let hub: TestHub;
let store: { path: string; cleanup: () => Promise<void> };
const root = () => join(store.path, "store");
/** The same store folder each time (the later --root wins), so a restart keeps every file. */
const start = () => startTestHub(["--root", root(), "--lfs-threshold", "64KB"]);

before(async () => {
  store = await tempDir("lfs-scope");
  hub = await start();
});
after(async () => {
  await hub?.stop();
  await store?.cleanup();
});

const secret = pseudoRandom(200_000, 71);
const oid = sha256(secret);
const aliceHf = `alice/${randomName("secret")}`;
const aliceMs = `alice/${randomName("secret-ms")}`;
const bobHf = `bob/${randomName("thief")}`;
const bobMs = `bob/${randomName("thief-ms")}`;

function hfCommitLfs(repo: string, token: string, path: string, o = oid, size = secret.length) {
  const lines = [
    { key: "header", value: { summary: "pointer only", description: "" } },
    { key: "lfsFile", value: { path, algo: "sha256", oid: o, size } },
  ];
  return fetch(`${hub.url}/api/models/${repo}/commit/main`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson" },
    body: lines.map((l) => JSON.stringify(l)).join("\n"),
  });
}

async function hfBatch(repo: string, token: string) {
  const res = await fetch(`${hub.url}/${repo}.git/info/lfs/objects/batch`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      accept: "application/vnd.git-lfs+json",
      "content-type": "application/vnd.git-lfs+json",
    },
    body: JSON.stringify({
      operation: "upload",
      transfers: ["basic", "multipart"],
      objects: [{ oid, size: secret.length }],
      hash_algo: "sha256",
    }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { objects: { oid: string; actions?: { upload?: { href: string } } }[] })
    .objects[0]!;
}

const msAuth = (token: string) => ({ authorization: `Bearer ${token}` });

function msCommitLfs(repo: string, token: string, path: string) {
  return fetch(`${hub.url}/api/v1/repos/models/${repo}/commit/master`, {
    method: "POST",
    headers: msAuth(token),
    body: JSON.stringify({
      commit_message: "pointer only",
      actions: [{ action: "create", path, type: "lfs", size: secret.length, sha256: oid }],
    }),
  });
}

async function msBatch(repo: string, token: string) {
  const res = await fetch(`${hub.url}/api/v1/repos/models/${repo}/info/lfs/objects/batch`, {
    method: "POST",
    headers: msAuth(token),
    body: JSON.stringify({ operation: "upload", objects: [{ oid, size: secret.length }] }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { Data: { objects: { oid: string; actions?: unknown }[] } }).Data.objects;
}

async function msCreate(repo: string, token: string, visibility: number) {
  const [owner, name] = repo.split("/");
  const res = await fetch(`${hub.url}/api/v1/models`, {
    method: "POST",
    headers: msAuth(token),
    body: JSON.stringify({ Path: owner, Name: name, Visibility: visibility, License: "MIT" }),
  });
  assert.equal(res.status, 200, await res.text());
}

const lfsPuts = async () => {
  const s = await hub.stats();
  return (s["hf.lfs-put"] ?? 0) + (s["hf.lfs-part"] ?? 0) + (s["ms.blob-put"] ?? 0);
};

/** Every way bob could reach alice's bytes by their hash: each must be refused. */
async function assertBobLocked(): Promise<void> {
  const hf = await hfCommitLfs(bobHf, USERS.bob.token, "stolen.bin");
  assert.equal(hf.status, 422);
  assert.match(await hf.text(), /not uploaded to this repository/);
  const ms = await msCommitLfs(bobMs, USERS.bob.msToken, "stolen.bin");
  assert.equal(ms.status, 400);
  assert.match(await ms.text(), /not uploaded to this repository/);
  assert.ok((await hfBatch(bobHf, USERS.bob.token)).actions?.upload, "HF batch asks bob for the bytes");
  const msObjects = await msBatch(bobMs, USERS.bob.msToken);
  assert.equal(msObjects[0]?.oid, oid, "ModelScope batch asks bob for the bytes");
  const tree = await fetch(`${hub.url}/api/models/${bobHf}/tree/main`, {
    headers: { authorization: `Bearer ${USERS.bob.token}` },
  });
  assert.ok(!(await tree.text()).includes("stolen.bin"), "nothing was committed");
}

describe("LFS objects are scoped to the repo they were uploaded for", () => {
  it("alice's private file, uploaded with the official JS client on the HF face and by blob PUT on the ModelScope face", async () => {
    const credentials = { accessToken: USERS.alice.token };
    await createRepo({ repo: aliceHf, private: true, hubUrl: hub.url, ...credentials });
    const before = await lfsPuts();
    await uploadFiles({
      repo: aliceHf,
      hubUrl: hub.url,
      useXet: false,
      ...credentials,
      files: [{ path: "weights.bin", content: new Blob([secret]) }],
    });
    assert.equal((await lfsPuts()) - before, 1, "the bytes went up once, by LFS");

    await msCreate(aliceMs, USERS.alice.msToken, 1);
    const [want] = await msBatch(aliceMs, USERS.alice.msToken);
    assert.ok(want, "a new repo has to upload even bytes the store holds (alice's HF repo)");
    const put = await fetch(`${hub.url}/api/v1/repos/models/${aliceMs}/blobs/${oid}/${secret.length}`, {
      method: "PUT",
      headers: msAuth(USERS.alice.msToken),
      body: secret,
    });
    assert.equal(put.status, 200);
    assert.equal((await msCommitLfs(aliceMs, USERS.alice.msToken, "weights.bin")).status, 200);

    await createRepo({ repo: bobHf, hubUrl: hub.url, accessToken: USERS.bob.token });
    await msCreate(bobMs, USERS.bob.msToken, 5);
  });

  it("bob cannot commit a pointer to alice's object on either face, and the batches ask him for the bytes", async () => {
    await assertBobLocked();
  });

  it("alice re-uploading the same bytes to her own repo moves nothing; the pointer commit is hers to make", async () => {
    const before = await lfsPuts();
    await uploadFiles({
      repo: aliceHf,
      hubUrl: hub.url,
      useXet: false,
      accessToken: USERS.alice.token,
      files: [{ path: "copy/weights.bin", content: new Blob([secret]) }],
    });
    assert.equal((await lfsPuts()) - before, 0, "no byte moved");
    assert.equal((await hfBatch(aliceHf, USERS.alice.token)).actions, undefined, "stored, for her");
    assert.equal((await msBatch(aliceMs, USERS.alice.msToken)).length, 0, "stored, for her");
    assert.equal((await hfCommitLfs(aliceHf, USERS.alice.token, "again.bin")).status, 200);
  });

  it("bob uploading the same bytes himself (official client) sends them and then has them", async () => {
    const before = await lfsPuts();
    await uploadFiles({
      repo: bobHf,
      hubUrl: hub.url,
      useXet: false,
      accessToken: USERS.bob.token,
      files: [{ path: "mine.bin", content: new Blob([secret]) }],
    });
    assert.equal((await lfsPuts()) - before, 1, "the bytes moved: another repo holding them is no proof");
    const back = await downloadFile({
      repo: bobHf,
      path: "mine.bin",
      hubUrl: hub.url,
      accessToken: USERS.bob.token,
    });
    assert.equal(sha256(Buffer.from(await back!.arrayBuffer())), oid);
    // Bob's HF repo has the object now; his ModelScope repo still does not.
    assert.equal((await msCommitLfs(bobMs, USERS.bob.msToken, "stolen.bin")).status, 400);
  });

  it("the scoping survives a restart, and a store from before it is indexed from its history", async () => {
    await hub.stop().catch(() => {});
    // Play a store written before scoping existed: alice's repos lose their index.
    for (const [face, repo] of [
      ["hf", aliceHf],
      ["ms", aliceMs],
    ] as const)
      await rm(join(root(), "repos", face, "models", repo, "lfs"), { recursive: true, force: true });
    hub = await start();
    const fresh = `bob/${randomName("thief2")}`;
    await createRepo({ repo: fresh, hubUrl: hub.url, accessToken: USERS.bob.token });
    const refused = await hfCommitLfs(fresh, USERS.bob.token, "stolen.bin");
    assert.equal(refused.status, 422);
    assert.equal((await msCommitLfs(bobMs, USERS.bob.msToken, "stolen.bin")).status, 400);
    assert.equal((await hfBatch(aliceHf, USERS.alice.token)).actions, undefined, "alice's history counts");
    assert.equal((await msBatch(aliceMs, USERS.alice.msToken)).length, 0);
    assert.equal((await hfCommitLfs(aliceHf, USERS.alice.token, "after-restart.bin")).status, 200);
  });
});
