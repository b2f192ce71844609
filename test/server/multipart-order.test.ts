import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pseudoRandom, randomName, sha256 } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { sendAborted } from "../helpers/raw-http.js";

/**
 * The HF multipart LFS path hashes parts as they arrive: parts in order are never read back,
 * parts out of order (or in parallel) are read back once the gap before them fills, and whatever
 * the order, retries and cut bodies, completion admits exactly the announced bytes and refuses
 * anything else. Raw HTTP against a real hub; the hub's admin stats say how much it read back.
 */
let hub: TestHub;
const auth = { authorization: `Bearer ${USERS.alice.token}` };
const repo = `alice/${randomName("mp-order")}`;

before(async () => {
  hub = await startTestHub(["--multipart-threshold", "2MB", "--multipart-chunk-size", "1MB"]);
  const res = await fetch(`${hub.url}/api/repos/create`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ name: repo.split("/")[1] }),
  });
  assert.equal(res.status, 200, await res.text());
});
after(async () => {
  await hub?.stop();
});

interface Upload {
  data: Buffer;
  oid: string;
  complete: string;
  parts: string[];
  slice(n: number): Buffer;
}

async function startUpload(seed: number): Promise<Upload> {
  const data = pseudoRandom(5 * 1024 * 1024 + 12_345, seed);
  const oid = sha256(data);
  const res = await fetch(`${hub.url}/${repo}.git/info/lfs/objects/batch`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/vnd.git-lfs+json" },
    body: JSON.stringify({
      operation: "upload",
      transfers: ["basic", "multipart"],
      objects: [{ oid, size: data.length }],
    }),
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as {
    transfer: string;
    objects: { actions: { upload: { href: string; header: Record<string, string> } } }[];
  };
  assert.equal(body.transfer, "multipart");
  const { href, header } = body.objects[0]!.actions.upload;
  const chunk = Number(header.chunk_size);
  const parts = Object.keys(header)
    .filter((k) => /^\d+$/.test(k))
    .map((k) => header[k]!);
  assert.ok(parts.length >= 5, `${parts.length} parts`);
  const slice = (n: number) => Buffer.from(data.subarray((n - 1) * chunk, n * chunk));
  return { data, oid, complete: href, parts, slice };
}

async function putPart(u: Upload, n: number, body = u.slice(n)): Promise<string> {
  const res = await fetch(u.parts[n - 1]!, { method: "PUT", body });
  assert.equal(res.status, 200, await res.text());
  return String(res.headers.get("etag"));
}

async function complete(u: Upload, etags: Map<number, string>): Promise<Response> {
  const parts = [...etags].sort((a, b) => a[0] - b[0]).map(([partNumber, etag]) => ({ partNumber, etag }));
  return fetch(u.complete, {
    method: "POST",
    headers: { "content-type": "application/vnd.git-lfs+json" },
    body: JSON.stringify({ oid: u.oid, parts }),
  });
}

/** Commits the object under `path` and downloads it back through resolve. */
async function commitAndDownload(u: Upload, path: string): Promise<Buffer> {
  const lines = [
    { key: "header", value: { summary: `add ${path}`, description: "" } },
    { key: "lfsFile", value: { path, algo: "sha256", oid: u.oid, size: u.data.length } },
  ];
  const res = await fetch(`${hub.url}/api/models/${repo}/commit/main`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/x-ndjson" },
    body: lines.map((l) => JSON.stringify(l)).join("\n"),
  });
  assert.equal(res.status, 200, await res.text());
  const got = await fetch(`${hub.url}/${repo}/resolve/main/${path}`);
  assert.equal(got.status, 200);
  return Buffer.from(await got.arrayBuffer());
}

async function readBack(): Promise<number> {
  const res = await fetch(`${hub.url}/_hubferry/stats`, {
    headers: { authorization: `Bearer ${USERS.admin.token}` },
  });
  return ((await res.json()) as { multipart: { readBackBytes: number } }).multipart.readBackBytes;
}

async function uploadInOrder(u: Upload, order: number[]): Promise<Map<number, string>> {
  const etags = new Map<number, string>();
  for (const n of order) etags.set(n, await putPart(u, n));
  return etags;
}

const range = (k: number) => Array.from({ length: k }, (_, i) => i + 1);

describe("multipart upload, parts hashed as they arrive", () => {
  it("parts in order, one at a time: byte-identical, and nothing is read back to hash", async () => {
    const u = await startUpload(11);
    const before = await readBack();
    const done = await complete(u, await uploadInOrder(u, range(u.parts.length)));
    assert.equal(done.status, 200, await done.text());
    assert.equal(await readBack(), before, "an in-order upload is hashed from memory only");
    assert.ok((await commitAndDownload(u, "in-order.bin")).equals(u.data));
  });

  it("parts out of order: byte-identical; only the early parts are read back, once", async () => {
    const u = await startUpload(12);
    const k = u.parts.length;
    const order = [3, 1, k, 2, ...range(k).slice(3, k - 1)];
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      range(k),
    );
    const before = await readBack();
    const done = await complete(u, await uploadInOrder(u, order));
    assert.equal(done.status, 200, await done.text());
    const read = (await readBack()) - before;
    // Parts 3 and k arrived before the gap before them filled. Part 4 may have begun arriving
    // while part 3 was being read back (then its first bytes are read too); nothing else is.
    const early = u.slice(3).length + u.slice(k).length;
    assert.ok(read >= early && read <= early + u.slice(4).length, `read back ${read} bytes, early ${early}`);
    assert.ok((await commitAndDownload(u, "out-of-order.bin")).equals(u.data));
  });

  it("all parts at once: byte-identical", async () => {
    const u = await startUpload(13);
    const etags = new Map<number, string>();
    await Promise.all(range(u.parts.length).map(async (n) => etags.set(n, await putPart(u, n))));
    const done = await complete(u, etags);
    assert.equal(done.status, 200, await done.text());
    assert.ok((await commitAndDownload(u, "parallel.bin")).equals(u.data));
  });

  it("a part sent again after the hash passed it, and a part cut mid-body then sent whole: byte-identical", async () => {
    const u = await startUpload(14);
    const etags = await uploadInOrder(u, [1, 2]);
    etags.set(1, await putPart(u, 1)); // the hash had passed part 1: it starts over
    // Part 3 cut mid-body (the client went away), then sent whole.
    const target = new URL(u.parts[2]!);
    const cut = u.slice(3).subarray(0, 300_000);
    await sendAborted(
      Number(target.port),
      `PUT ${target.pathname}${target.search} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${u.slice(3).length}\r\n\r\n`,
      cut,
    );
    for (const [n, e] of await uploadInOrder(u, range(u.parts.length).slice(2))) etags.set(n, e);
    const done = await complete(u, etags);
    assert.equal(done.status, 200, await done.text());
    assert.ok((await commitAndDownload(u, "retried.bin")).equals(u.data));
  });

  it("a wrong part, in order or out of order, is refused at completion and nothing is admitted", async () => {
    for (const [seed, order] of [
      [15, "in order"],
      [16, "out of order"],
    ] as const) {
      const u = await startUpload(seed);
      const k = u.parts.length;
      const wrong = u.slice(2);
      wrong[100] = (wrong[100] ?? 0) ^ 0xff;
      const etags = new Map<number, string>();
      const sequence =
        order === "in order" ? range(k) : [k, 2, ...range(k).filter((n) => n !== 2 && n !== k)];
      for (const n of sequence) etags.set(n, await putPart(u, n, n === 2 ? wrong : undefined));
      const done = await complete(u, etags);
      assert.equal(done.status, 400, `${order}: ${await done.text()}`);
      const again = await fetch(`${hub.url}/${repo}.git/info/lfs/objects/batch`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/vnd.git-lfs+json" },
        body: JSON.stringify({ operation: "upload", objects: [{ oid: u.oid, size: u.data.length }] }),
      });
      const obj = ((await again.json()) as { objects: { actions?: unknown }[] }).objects[0]!;
      assert.ok(obj.actions, `${order}: the object was not admitted`);
    }
  });

  it("a wrong part replaced by the right one before completion: accepted, byte-identical", async () => {
    const u = await startUpload(17);
    const wrong = u.slice(1);
    wrong[0] = (wrong[0] ?? 0) ^ 1;
    const etags = new Map<number, string>([[1, await putPart(u, 1, wrong)]]);
    for (const [n, e] of await uploadInOrder(u, range(u.parts.length).slice(1))) etags.set(n, e);
    etags.set(1, await putPart(u, 1));
    const done = await complete(u, etags);
    assert.equal(done.status, 200, await done.text());
    assert.ok((await commitAndDownload(u, "replaced.bin")).equals(u.data));
  });
});
