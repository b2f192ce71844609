import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { randomName } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";

/**
 * ModelScope face: every JSON body is read into memory only up to its route's limit (the SDKs'
 * normal requests stay far below; see src/server/ms/ms-body.ts). Over it: 413 in the site's
 * envelope naming the limit and what to do, checked while the body streams, and the hub serves on.
 * No SDK ever sends such a body, hence raw HTTP.
 */
let hub: TestHub;
const alice = { authorization: `Bearer ${USERS.alice.msToken}` };
const MiB = 1024 * 1024;
let repo: string;

before(async () => {
  hub = await startTestHub();
  repo = `alice/${randomName("limits")}`;
  const r = await fetch(`${hub.url}/api/v1/models`, {
    method: "POST",
    headers: { ...alice, "content-type": "application/json" },
    body: JSON.stringify({ Path: "alice", Name: repo.split("/")[1], Visibility: 5 }),
  });
  assert.equal(r.status, 200, await r.text());
});
after(async () => {
  await hub?.stop();
});

/** A body of `size` bytes in 1 MiB chunks, sent chunked (no Content-Length). */
function chunked(size: number): ReadableStream<Uint8Array> {
  let left = size;
  return new ReadableStream({
    pull(c) {
      if (left <= 0) return c.close();
      const n = Math.min(left, MiB);
      left -= n;
      c.enqueue(new Uint8Array(n).fill(0x20));
    },
  });
}

async function send(
  method: string,
  path: string,
  body: RequestInit["body"],
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${hub.url}${path}`, {
    method,
    headers: { ...alice, ...headers },
    body,
    duplex: "half",
  } as RequestInit);
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: (text.startsWith("{") ? JSON.parse(text) : {}) as Record<string, unknown>,
  };
}

/** The hub still answers, on a fresh request. */
async function stillServing() {
  const r = await fetch(`${hub.url}/api/v1/models/${repo}`, { headers: alice });
  assert.equal(r.status, 200, await r.text());
}

function assertRefused(r: { status: number; json: Record<string, unknown> }, limit: RegExp, hint: RegExp) {
  assert.equal(r.status, 413, JSON.stringify(r.json));
  assert.equal(r.json.Code, 413);
  assert.equal(r.json.Success, false);
  assert.equal(r.json.Data, null);
  assert.equal(typeof r.json.RequestId, "string");
  assert.match(String(r.json.Message), limit);
  assert.match(String(r.json.Message), hint);
}

describe("ModelScope face: request body limits", () => {
  it("a commit over 96 MiB is refused with 413 on its Content-Length, and while streaming when chunked", async () => {
    const path = `/api/v1/repos/models/${repo}/commit/master`;
    const declared = await send("POST", path, new Uint8Array(96 * MiB + 1).fill(0x20));
    assertRefused(
      declared,
      /takes at most 96 MiB/,
      /UPLOAD_COMMIT_BATCH_SIZE|MODELSCOPE_UPLOAD_COMMIT_MAX_INLINE_BYTES/,
    );
    await stillServing();
    const streamed = await send("POST", path, chunked(97 * MiB));
    assertRefused(streamed, /takes at most 96 MiB/, /LFS/);
    await stillServing();
  });

  it("login, tag and the legacy model list take 64 KiB; the LFS batch and a create take 1 MiB", async () => {
    const padded = (fields: Record<string, unknown>, size: number) =>
      JSON.stringify({ ...fields, pad: "x".repeat(size) });
    const cases: [string, string, string, RegExp][] = [
      ["POST", "/api/v1/login", padded({ AccessToken: USERS.alice.msToken }, 64 * 1024), /64 KiB/],
      [
        "POST",
        `/api/v1/models/${repo}/repo/tag`,
        padded({ TagName: "v1", Ref: "master" }, 64 * 1024),
        /64 KiB/,
      ],
      ["PUT", "/api/v1/models/", padded({ Path: "alice", PageNumber: 1 }, 64 * 1024), /64 KiB/],
      ["POST", `/api/v1/repos/models/${repo}/info/lfs/objects/batch`, padded({ objects: [] }, MiB), /1 MiB/],
      ["POST", "/api/v1/models", padded({ Path: "alice", Name: "too-big" }, MiB), /1 MiB/],
    ];
    for (const [method, path, body, limit] of cases) {
      assertRefused(await send(method, path, body), limit, /;/);
      assertRefused(await send(method, path, chunked(body.length)), limit, /;/);
      await stillServing();
    }
    // Just under the limit is read (and judged on its content).
    const tag = await send(
      "POST",
      `/api/v1/models/${repo}/repo/tag`,
      padded({ TagName: "v1", Ref: "master" }, 60 * 1024),
      { "content-type": "application/json" },
    );
    assert.equal(tag.status, 200, tag.text);
  });

  it("the multipart dataset create form: too many fields or a field over 64 KiB is 413", async () => {
    const form = (fields: Record<string, string>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(fields)) f.append(k, v);
      return f;
    };
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`F${i}`, "v"]));
    const tooMany = await send(
      "POST",
      "/api/v1/datasets",
      form({ Name: "ds-many", Owner: "alice", ...many }),
    );
    assert.equal(tooMany.status, 413, tooMany.text);
    assert.match(String(tooMany.json.Message), /at most 16 fields/);
    const long = await send(
      "POST",
      "/api/v1/datasets",
      form({ Name: "ds-long", Description: "d".repeat(70_000) }),
    );
    assert.equal(long.status, 413, long.text);
    assert.match(String(long.json.Message), /field Description is longer/);
    await stillServing();
    const fine = await send("POST", "/api/v1/datasets", form({ Name: randomName("ds"), Owner: "alice" }));
    assert.equal(fine.status, 200, fine.text);
  });

  it("a README.md stored as a 3 MiB LFS file: repo info carries its first 1 MiB, and its card", async () => {
    const readme = Buffer.from(`---\ntags:\n  - huge\n---\n${"é".repeat(1_600_000)}`);
    const oid = createHash("sha256").update(readme).digest("hex");
    const base = `/api/v1/repos/models/${repo}`;
    const json = { "content-type": "application/json" };
    const batch = await send(
      "POST",
      `${base}/info/lfs/objects/batch`,
      JSON.stringify({ objects: [{ oid, size: readme.length }] }),
      json,
    );
    assert.equal(batch.status, 200, batch.text);
    const href = (batch.json.Data as { objects: { actions: { upload: { href: string } } }[] }).objects[0]!
      .actions.upload.href;
    const put = await fetch(href, { method: "PUT", headers: alice, body: readme });
    assert.equal(put.status, 200, await put.text());
    const action = { action: "create", path: "README.md", type: "lfs", size: readme.length, sha256: oid };
    const commit = await send(
      "POST",
      `${base}/commit/master`,
      JSON.stringify({ commit_message: "big card", actions: [action] }),
      json,
    );
    assert.equal(commit.status, 200, commit.text);
    const info = await send("GET", `/api/v1/models/${repo}`, undefined);
    const content = String((info.json.Data as { ReadMeContent: string }).ReadMeContent);
    assert.ok(
      Buffer.byteLength(content) <= 1024 * 1024,
      `ReadMeContent has ${Buffer.byteLength(content)} bytes`,
    );
    assert.ok(readme.toString("utf8").startsWith(content), "a clean prefix (no character cut in half)");
    assert.ok(Buffer.byteLength(content) > 1024 * 1024 - 4);
    const openapi = await send("GET", `/openapi/v1/models/${repo}`, undefined);
    assert.deepEqual((openapi.json.data as { tags: string[] }).tags, ["huge"]);
  });

  it("a commit of more than 2000 actions is the site's 422; 2000 are taken", async () => {
    const path = `/api/v1/repos/models/${repo}/commit/master`;
    const actions = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        action: "create",
        path: `many/f${i}.txt`,
        type: "normal",
        content: Buffer.from("same\n").toString("base64"),
        encoding: "base64",
      }));
    const json = { "content-type": "application/json" };
    const over = await send(
      "POST",
      path,
      JSON.stringify({ commit_message: "many", actions: actions(2001) }),
      json,
    );
    assert.equal(over.status, 422, over.text);
    assert.match(
      String(over.json.Message),
      /exceeds actions limit: 2001 > 2000; split the commit into smaller batches/,
    );
    const max = await send(
      "POST",
      path,
      JSON.stringify({ commit_message: "many", actions: actions(2000) }),
      json,
    );
    assert.equal(max.status, 200, max.text);
  });
});
