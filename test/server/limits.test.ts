import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createRepo, uploadFiles } from "@huggingface/hub";
import { pseudoRandom, randomName, sha256 } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * What the hub accepts is bounded: object sizes (checked on what is declared, before a byte is
 * written, and on what streams in), free disk, and how long an abandoned multipart upload keeps
 * its parts.
 */
const auth = { authorization: `Bearer ${USERS.alice.token}` };
const msAuth = { authorization: `Bearer ${USERS.alice.msToken}` };
const PB = 1024 ** 5;

interface BatchObject {
  oid: string;
  size: number;
  actions?: { upload?: { href: string; header?: Record<string, string> } };
  error?: { code: number; message: string };
}

async function hfBatch(hub: TestHub, repo: string, objects: { oid: string; size: number }[]) {
  const res = await fetch(`${hub.url}/${repo}.git/info/lfs/objects/batch`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/vnd.git-lfs+json" },
    body: JSON.stringify({ operation: "upload", transfers: ["basic", "multipart"], objects }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { objects: BatchObject[] }).objects;
}

async function msBatch(hub: TestHub, repo: string, objects: { oid: string; size: number }[]) {
  return fetch(`${hub.url}/api/v1/repos/models/${repo}/info/lfs/objects/batch`, {
    method: "POST",
    headers: msAuth,
    body: JSON.stringify({ operation: "upload", objects }),
  });
}

async function msCreate(hub: TestHub, repo: string) {
  const res = await fetch(`${hub.url}/api/v1/models`, {
    method: "POST",
    headers: msAuth,
    body: JSON.stringify({ Path: "alice", Name: repo.split("/")[1], Visibility: 5, License: "MIT" }),
  });
  assert.equal(res.status, 200);
}

const chunked = (data: Buffer) =>
  new ReadableStream({
    start(c) {
      c.enqueue(data);
      c.close();
    },
  });

describe("size limits and expiring uploads", () => {
  let hub: TestHub;
  let work: { path: string; cleanup: () => Promise<void> };
  const repo = `alice/${randomName("limits")}`;
  const msRepo = `alice/${randomName("limits-ms")}`;
  const fakeOid = "ab".repeat(32);

  before(async () => {
    work = await tempDir("limits");
    hub = await startTestHub([
      "--root",
      join(work.path, "store"),
      "--max-object-size",
      "3MB",
      "--lfs-threshold",
      "64KB",
      "--multipart-threshold",
      "1MB",
      "--multipart-chunk-size",
      "512KB",
      "--upload-expiry",
      "1",
    ]);
    await createRepo({ repo, hubUrl: hub.url, accessToken: USERS.alice.token });
    await msCreate(hub, msRepo);
  });
  after(async () => {
    await hub?.stop();
    await work?.cleanup();
  });

  it("a declared 1 PB (or just too large) object is refused at the batch: 413 per object (HF), 413 (ModelScope)", async () => {
    const [huge, over] = await hfBatch(hub, repo, [
      { oid: fakeOid, size: PB },
      { oid: "cd".repeat(32), size: 4 * 1024 * 1024 },
    ]);
    for (const o of [huge!, over!]) {
      assert.equal(o.actions, undefined);
      assert.equal(o.error?.code, 413);
      assert.match(o.error!.message, /larger than this hub accepts .*--max-object-size/);
    }
    const ms = await msBatch(hub, msRepo, [{ oid: fakeOid, size: PB }]);
    assert.equal(ms.status, 413);
    const put = await fetch(`${hub.url}/api/v1/repos/models/${msRepo}/blobs/${fakeOid}/${PB}`, {
      method: "PUT",
      headers: msAuth,
      body: "x",
    });
    assert.equal(put.status, 413, "the ModelScope blob PUT checks the size in its URL before reading");
  });

  it("the official JS client gets the refusal for a file over the cap", async () => {
    await assert.rejects(
      uploadFiles({
        repo,
        hubUrl: hub.url,
        accessToken: USERS.alice.token,
        useXet: false,
        files: [{ path: "big.bin", content: new Blob([pseudoRandom(3_200_000, 5)]) }],
      }),
      /larger than this hub accepts/,
    );
  });

  it("a body longer than declared is cut and refused (Content-Length or chunked), and nothing is kept", async () => {
    const data = pseudoRandom(1000, 9);
    const oid = sha256(data);
    const [o] = await hfBatch(hub, repo, [{ oid, size: data.length }]);
    const href = o!.actions!.upload!.href;
    const longer = Buffer.concat([data, Buffer.from("!")]);
    const withLength = await fetch(href, { method: "PUT", body: longer });
    assert.equal(withLength.status, 413);
    const streamed = await fetch(href, {
      method: "PUT",
      body: chunked(longer),
      duplex: "half",
    } as RequestInit);
    assert.equal(streamed.status, 413);
    assert.match(await streamed.text(), /runs past the 1000 bytes announced/);
    const msPut = await fetch(`${hub.url}/api/v1/repos/models/${msRepo}/blobs/${oid}/${data.length}`, {
      method: "PUT",
      headers: msAuth,
      body: chunked(longer),
      duplex: "half",
    } as RequestInit);
    assert.equal(msPut.status, 413);
    const [again] = await hfBatch(hub, repo, [{ oid, size: data.length }]);
    assert.ok(again!.actions?.upload, "not stored");
    assert.equal((await fetch(href, { method: "PUT", body: data })).status, 200, "the honest body passes");
  });

  it("a part longer than its slot is refused before it is kept; an abandoned multipart upload expires and its parts go", async () => {
    const size = 1_200_000;
    const [o] = await hfBatch(hub, repo, [{ oid: "ef".repeat(32), size }]);
    const header = o!.actions!.upload!.header!;
    const chunk = Number(header.chunk_size);
    const tooLong = await fetch(header["00001"]!, { method: "PUT", body: pseudoRandom(chunk + 1, 1) });
    assert.equal(tooLong.status, 413);
    assert.equal(
      (await fetch(header["00001"]!, { method: "PUT", body: pseudoRandom(chunk, 1) })).status,
      200,
    );
    const tmp = join(work.path, "store", "tmp");
    const sessions = async () => (await readdir(tmp)).filter((n) => n.startsWith("multipart-"));
    assert.equal((await sessions()).length, 1, "the part is on disk");
    // Bounded wait for the sweeper (expiry 1 s); no timing is asserted, only the outcome.
    for (let i = 0; i < 100 && (await sessions()).length > 0; i++) await sleep(100);
    assert.deepEqual(await sessions(), [], "the abandoned upload's parts were deleted");
    const late = await fetch(header["00002"]!, { method: "PUT", body: pseudoRandom(size - chunk, 2) });
    assert.equal(late.status, 404);
    assert.match(await late.text(), /expired multipart upload; request a new one/);
  });
});

describe("free disk floor", () => {
  let hub: TestHub;
  const repo = `alice/${randomName("full")}`;
  const msRepo = `alice/${randomName("full-ms")}`;

  before(async () => {
    hub = await startTestHub(["--min-free-disk", "1000PB", "--lfs-threshold", "64KB"]);
    await createRepo({ repo, hubUrl: hub.url, accessToken: USERS.alice.token });
    await msCreate(hub, msRepo);
  });
  after(async () => {
    await hub?.stop();
  });

  it("uploads that would go below it are refused with 507 and a clear message, on both faces", async () => {
    const [o] = await hfBatch(hub, repo, [{ oid: "12".repeat(32), size: 100_000 }]);
    assert.equal(o!.error?.code, 507);
    assert.match(o!.error!.message, /insufficient storage.*--min-free-disk/);
    const ms = await msBatch(hub, msRepo, [{ oid: "12".repeat(32), size: 100_000 }]);
    assert.equal(ms.status, 507);
    await assert.rejects(
      uploadFiles({
        repo,
        hubUrl: hub.url,
        accessToken: USERS.alice.token,
        useXet: false,
        files: [{ path: "small.txt", content: new Blob(["inline content still lands on disk"]) }],
      }),
      /insufficient storage/,
    );
  });
});
