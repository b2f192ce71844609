import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pseudoRandom, randomName, sha256 } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";

/** ModelScope face details over raw HTTP: envelopes, auth forms, uploads, locks, faces kept apart. */
let hub: TestHub;
const bearer = { authorization: `Bearer ${USERS.alice.msToken}` };
const cookie = { cookie: `m_session_id=${USERS.alice.msToken}` };

before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.stop();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = bearer,
): Promise<{ status: number; json: Record<string, unknown>; res: Response }> {
  const res = await fetch(`${hub.url}${path}`, {
    method,
    headers,
    body:
      body === undefined
        ? undefined
        : typeof body === "string" || Buffer.isBuffer(body)
          ? body
          : JSON.stringify(body),
    redirect: "manual",
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, res };
}

async function createModel(name: string, visibility = 5): Promise<void> {
  const r = await call("POST", "/api/v1/models", {
    Path: "alice",
    Name: name,
    Visibility: visibility,
    License: "Apache License 2.0",
  });
  assert.equal(r.status, 200, JSON.stringify(r.json));
}

function commitBody(actions: Record<string, unknown>[]) {
  return { commit_message: "test", actions };
}

const normal = (path: string, text: string) => ({
  action: "create",
  path,
  type: "normal",
  size: text.length,
  sha256: "",
  content: Buffer.from(text).toString("base64"),
  encoding: "base64",
});

describe("local hub, ModelScope face: protocol details", () => {
  const name = randomName("msproto");
  const repo = `alice/${name}`;

  before(async () => {
    await createModel(name);
  });

  it("answers in the PascalCase envelope, with RequestId, and authenticates by Bearer or cookie", async () => {
    for (const headers of [bearer, cookie]) {
      const r = await call("GET", `/api/v1/models/${repo}`, undefined, headers);
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.json).sort(), ["Code", "Data", "Message", "RequestId", "Success"]);
      assert.equal(r.json.Code, 200);
      assert.equal((r.json.Data as { Name: string }).Name, name);
    }
  });

  it("login sets a host-only m_session_id cookie and returns the user", async () => {
    const r = await call("POST", "/api/v1/login", JSON.stringify({ AccessToken: USERS.alice.msToken }), {});
    assert.equal(r.status, 200);
    const setCookie = String(r.res.headers.get("set-cookie"));
    assert.match(setCookie, /^m_session_id=[^;]+; Path=\//);
    assert.doesNotMatch(setCookie, /Domain=/i);
    assert.equal((r.json.Data as { Username: string }).Username, "alice");
  });

  it("the same name on the Hugging Face face is another repo: faces keep their own namespaces", async () => {
    const hf = await fetch(`${hub.url}/api/models/${repo}`, {
      headers: { authorization: `Bearer ${USERS.alice.token}` },
    });
    assert.equal(hf.status, 404);
    assert.equal(hf.headers.get("x-error-code"), "RepoNotFound");
  });

  it("an existing name: 400 with the site's code; unknown /openapi routes: JSON 404", async () => {
    const dup = await call("POST", "/api/v1/models", { Path: "alice", Name: name });
    assert.equal(dup.status, 400);
    assert.equal(dup.json.Code, 10010101001);
    const unknown = await call("GET", "/openapi/v1/no/such/route");
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.success, false);
  });

  it("writes need a token of the namespace: none is 'not logged in', another user's is 403", async () => {
    const anon = await call(
      "POST",
      `/api/v1/repos/models/${repo}/commit/master`,
      commitBody([normal("a.txt", "a")]),
      {},
    );
    assert.equal(anon.status, 401);
    assert.equal(anon.json.Success, false);
    const bob = await call(
      "POST",
      `/api/v1/repos/models/${repo}/commit/master`,
      commitBody([normal("a.txt", "a")]),
      { authorization: `Bearer ${USERS.bob.msToken}` },
    );
    assert.equal(bob.status, 403);
  });

  it("LFS batch omits stored objects; a blob whose bytes differ from its oid is refused and cannot be committed", async () => {
    const good = pseudoRandom(4096, 3);
    const oid = sha256(good);
    const batch = await call(
      "POST",
      `/api/v1/repos/models/${repo}/info/lfs/objects/batch`,
      JSON.stringify({ operation: "upload", objects: [{ oid, size: good.length }] }),
      bearer,
    );
    const href = (batch.json.Data as { objects: { actions: { upload: { href: string } } }[] }).objects[0]!
      .actions.upload.href;
    assert.ok(href.startsWith(`${hub.url}/api/v1/repos/models/${repo}/blobs/${oid}/${good.length}`));
    const bad = Buffer.from(good);
    bad[0] = (bad[0] ?? 0) ^ 1;
    assert.equal((await call("PUT", new URL(href).pathname, bad)).status, 400);
    const refused = await call(
      "POST",
      `/api/v1/repos/models/${repo}/commit/master`,
      commitBody([{ action: "create", path: "w.bin", type: "lfs", size: good.length, sha256: oid }]),
    );
    assert.equal(refused.status, 400);
    assert.equal((await call("PUT", new URL(href).pathname, good)).status, 200);
    const again = await call("POST", `/api/v1/repos/models/${repo}/info/lfs/objects/batch`, {
      operation: "upload",
      objects: [{ oid, size: good.length }],
    });
    assert.deepEqual((again.json.Data as { objects: unknown[] }).objects, []);
    const done = await call(
      "POST",
      `/api/v1/repos/models/${repo}/commit/master`,
      commitBody([{ action: "create", path: "w.bin", type: "lfs", size: good.length, sha256: oid }]),
    );
    assert.equal(done.status, 200);
    assert.match(String((done.json.Data as { oid: string }).oid), /^[0-9a-f]{40}$/);
  });

  it("the blob PUT accepts a chunked body (no Content-Length), as SDKs before 1.36.2 send it", async () => {
    const data = pseudoRandom(300_000, 8);
    const oid = sha256(data);
    const batch = await call("POST", `/api/v1/repos/models/${repo}/info/lfs/objects/batch`, {
      operation: "upload",
      objects: [{ oid, size: data.length }],
    });
    const href = (batch.json.Data as { objects: { actions: { upload: { href: string } } }[] }).objects[0]!
      .actions.upload.href;
    const body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < data.length; i += 65536) controller.enqueue(data.subarray(i, i + 65536));
        controller.close();
      },
    });
    const res = await fetch(href, { method: "PUT", headers: bearer, body, duplex: "half" } as RequestInit);
    assert.equal(res.status, 200);
    const again = await call("POST", `/api/v1/repos/models/${repo}/info/lfs/objects/batch`, {
      operation: "upload",
      objects: [{ oid, size: data.length }],
    });
    assert.deepEqual((again.json.Data as { objects: unknown[] }).objects, [], "the object is stored");
  });

  it("repo/files lists content sha256 for every file; downloads honour Range; LFS goes by 302", async () => {
    await call(
      "POST",
      `/api/v1/repos/models/${repo}/commit/master`,
      commitBody([normal("dir/readme.txt", "hello world\n")]),
    );
    const files = await call("GET", `/api/v1/models/${repo}/repo/files?Revision=master&Recursive=True`);
    const entries = (
      files.json.Data as {
        Files: { Path: string; Sha256: string; Size: number; Type: string; Revision: string }[];
      }
    ).Files;
    const txt = entries.find((e) => e.Path === "dir/readme.txt")!;
    assert.equal(txt.Sha256, sha256(Buffer.from("hello world\n")));
    assert.match(txt.Revision, /^[0-9a-f]{40}$/);
    assert.ok(entries.some((e) => e.Path === "dir" && e.Type === "tree"));
    const part = await fetch(
      `${hub.url}/api/v1/models/${repo}/repo?Revision=master&FilePath=dir%2Freadme.txt`,
      { headers: { ...bearer, range: "bytes=6-" } },
    );
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), "bytes 6-11/12");
    assert.equal(await part.text(), "world\n");
    const lfs = await fetch(`${hub.url}/api/v1/models/${repo}/repo?Revision=master&FilePath=w.bin`, {
      headers: bearer,
      redirect: "manual",
    });
    assert.equal(lfs.status, 302);
    const blob = Buffer.from(await (await fetch(String(lfs.headers.get("location")))).arrayBuffer());
    assert.equal(sha256(blob), sha256(pseudoRandom(4096, 3)));
  });

  it("deleting a path that does not exist rejects the whole commit", async () => {
    const r = await call(
      "POST",
      `/api/v1/repos/models/${repo}/commit/master`,
      commitBody([normal("new.txt", "n"), { action: "delete", path: "nope.txt" }]),
    );
    assert.equal(r.status, 400);
    assert.match(String(r.json.Message), /rejected/);
    const files = await call("GET", `/api/v1/models/${repo}/repo/files?Recursive=True`);
    assert.ok(!(files.json.Data as { Files: { Path: string }[] }).Files.some((f) => f.Path === "new.txt"));
  });

  it("concurrent commits: the one that finds the lock held gets 429 'commit lock busy, please try again'", async () => {
    // The first commit is made slow inside its lock; the second is sent once the rule shows it is
    // being held (its hit count), so it surely meets the lock.
    await hub.clearFaults();
    await hub.fault({ route: "ms.commit", kind: "slow", stage: "commit", delayMs: 3000, times: 1 });
    const first = call(
      "POST",
      `/api/v1/repos/models/${repo}/commit/master`,
      commitBody([normal("c1.txt", "one")]),
    );
    for (let i = 0; i < 200; i++) {
      const rules = await hub.faultRules();
      if (rules[0]?.hits === 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const second = await call(
      "POST",
      `/api/v1/repos/models/${repo}/commit/master`,
      commitBody([normal("c2.txt", "two")]),
    );
    assert.equal(second.status, 429);
    assert.equal(second.json.Message, "commit lock busy, please try again");
    assert.equal((await first).status, 200);
    // Once the lock is free, the retry goes through.
    assert.equal(
      (
        await call(
          "POST",
          `/api/v1/repos/models/${repo}/commit/master`,
          commitBody([normal("c2.txt", "two")]),
        )
      ).status,
      200,
    );
  });

  it("datasets: numeric id, paginated repo/tree (by owner/name and by id)", async () => {
    const ds = randomName("ds");
    const form = new FormData();
    form.set("Name", ds);
    form.set("Owner", "alice");
    form.set("Visibility", "5");
    form.set("License", "Apache License 2.0");
    const created = await fetch(`${hub.url}/api/v1/datasets`, {
      method: "POST",
      headers: bearer,
      body: form,
    });
    assert.equal(created.status, 200);
    const actions = Array.from({ length: 5 }, (_, i) => normal(`part-${i}.txt`, `p${i}`));
    assert.equal(
      (await call("POST", `/api/v1/repos/datasets/alice/${ds}/commit/master`, commitBody(actions))).status,
      200,
    );
    const info = await call("GET", `/api/v1/datasets/alice/${ds}`);
    const id = (info.json.Data as { Id: number }).Id;
    assert.ok(Number.isInteger(id));
    const pages: string[][] = [];
    for (let page = 1; page <= 4; page++) {
      const r = await call(
        "GET",
        `/api/v1/datasets/${id}/repo/tree?Revision=master&Root=%2F&Recursive=True&PageNumber=${page}&PageSize=2`,
      );
      pages.push((r.json.Data as { Files: { Path: string }[] }).Files.map((f) => f.Path));
    }
    assert.deepEqual(
      pages.map((p) => p.length),
      [2, 2, 2, 0],
    );
    const byName = await call(
      "GET",
      `/api/v1/datasets/alice/${ds}/repo/tree?Revision=master&Recursive=True&PageNumber=1&PageSize=200`,
    );
    assert.deepEqual(
      (byName.json.Data as { Files: { Path: string }[] }).Files.map((f) => f.Path),
      pages.flat(),
    );
    // As the site: a dataset has no repo/files listing (the SDKs and hubferry use repo/tree).
    const files = await call("GET", `/api/v1/datasets/alice/${ds}/repo/files?Revision=master&Recursive=True`);
    assert.equal(files.status, 405);
    assert.equal(files.json.Success, false);
    // The dataset's direct deletion: DELETE .../repo?FilePath=, for a login session only.
    const login = await call(
      "POST",
      "/api/v1/login",
      JSON.stringify({ AccessToken: USERS.alice.msToken }),
      {},
    );
    const session = { cookie: String(login.res.headers.get("set-cookie")).split(";")[0]! };
    assert.equal((await call("DELETE", `/api/v1/datasets/alice/${ds}/repo?FilePath=part-0.txt`)).status, 401);
    const del = await call(
      "DELETE",
      `/api/v1/datasets/alice/${ds}/repo?FilePath=part-0.txt`,
      undefined,
      session,
    );
    assert.equal(del.status, 200, JSON.stringify(del.json));
    const after = await call("GET", `/api/v1/datasets/alice/${ds}/repo/tree?Revision=master&Recursive=True`);
    assert.ok(!(after.json.Data as { Files: { Path: string }[] }).Files.some((f) => f.Path === "part-0.txt"));
  });

  it("direct file deletion (DELETE .../file) refuses an API token, as the site does, and takes a login session", async () => {
    const put = await call(
      "POST",
      `/api/v1/repos/models/${repo}/commit/master`,
      commitBody([normal("gone.txt", "g")]),
    );
    assert.equal(put.status, 200);
    const path = `/api/v1/models/${repo}/file?FilePath=gone.txt&Revision=master`;
    for (const headers of [bearer, cookie]) {
      const r = await call("DELETE", path, undefined, headers);
      assert.equal(r.status, 401);
      assert.match(String(r.json.Message), /API token authentication is not supported/);
    }
    assert.equal((await call("DELETE", path, undefined, {})).status, 401);
    const listed = async () =>
      (
        (await call("GET", `/api/v1/models/${repo}/repo/files?Recursive=True`)).json.Data as {
          Files: { Path: string }[];
        }
      ).Files.map((f) => f.Path);
    assert.ok((await listed()).includes("gone.txt"), "a refused deletion deletes nothing");
    const login = await call("POST", "/api/v1/login", JSON.stringify({ AccessToken: USERS.bob.msToken }), {});
    const bobSession = { cookie: String(login.res.headers.get("set-cookie")).split(";")[0]! };
    assert.equal((await call("DELETE", path, undefined, bobSession)).status, 403);
    const aliceLogin = await call(
      "POST",
      "/api/v1/login",
      JSON.stringify({ AccessToken: USERS.alice.msToken }),
      {},
    );
    const session = { cookie: String(aliceLogin.res.headers.get("set-cookie")).split(";")[0]! };
    const r = await call("DELETE", path, undefined, session);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.ok(!(await listed()).includes("gone.txt"));
    assert.equal((await call("DELETE", path, undefined, session)).status, 404);
  });

  it("private repos are not found by others, in info, listing and search", async () => {
    const secret = randomName("secret");
    await createModel(secret, 1);
    for (const headers of [{}, { authorization: `Bearer ${USERS.bob.msToken}` }] as Record<
      string,
      string
    >[]) {
      assert.equal((await call("GET", `/api/v1/models/alice/${secret}`, undefined, headers)).status, 404);
      assert.equal(
        (await call("GET", `/api/v1/models/alice/${secret}/repo/files`, undefined, headers)).status,
        404,
      );
      const list = await call("GET", `/openapi/v1/models?search=${secret}`, undefined, headers);
      assert.equal((list.json.data as { total_count: number }).total_count, 0);
    }
    const own = await call("GET", `/openapi/v1/models?search=${secret}`);
    assert.equal((own.json.data as { total_count: number }).total_count, 1);
  });

  it("fault injection works on this face too", async () => {
    await hub.fault({ route: "ms.info", kind: "status", status: 503, times: 1 });
    assert.equal((await call("GET", `/api/v1/models/${repo}`)).status, 503);
    assert.equal((await call("GET", `/api/v1/models/${repo}`)).status, 200);
  });
});
