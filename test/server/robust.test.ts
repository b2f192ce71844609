import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CLI, startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { run } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";

let hub: TestHub;
before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.stop();
});

function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => s.end(text));
    let out = "";
    s.on("data", (d) => {
      out += d;
    });
    s.on("close", () => resolve(out));
    s.on("error", reject);
  });
}

describe("local hub robustness (real HTTP to `hubferry serve`)", () => {
  it("a malformed m_session_id cookie is a 400 naming the cookie, and the server goes on", async () => {
    for (const path of [
      "/api/models",
      "/api/v1/models/alice/x",
      "/_hubferry/health",
      "/alice/x/resolve/main/a",
    ]) {
      const r = await fetch(`${hub.url}${path}`, { headers: { cookie: "m_session_id=%" } });
      assert.equal(r.status, 400, path);
      assert.match(JSON.stringify(await r.json()), /m_session_id/);
    }
    assert.equal(hub.process.exitCode, null);
    assert.equal((await fetch(`${hub.url}/_hubferry/health`)).status, 200);
  });

  it("a bad %-escape in a path is a 400 naming the part; malformed HTTP a JSON 400", async () => {
    const r = await fetch(`${hub.url}/api/models/al%zzice/x`);
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as { error: string }).error, /not valid percent-encoding/);
    const port = Number(new URL(hub.url).port);
    const resp = await raw(port, "GARBAGE\r\n\r\n");
    assert.match(resp, /^HTTP\/1\.1 400 /);
    assert.match(resp, /\{"error":"Malformed HTTP request/);
    assert.equal((await fetch(`${hub.url}/_hubferry/health`)).status, 200);
  });

  it("a handler bug is a 500 for that request, logged without the token; an uncaught error does not end the process", async () => {
    await hub.fault({ route: "hf.whoami", kind: "throw" });
    const r = await fetch(`${hub.url}/api/whoami-v2`, {
      headers: { authorization: `Bearer ${USERS.alice.token}` },
    });
    assert.equal(r.status, 500);
    await hub.fault({ route: "hf.whoami", kind: "uncaught" });
    await fetch(`${hub.url}/api/whoami-v2`, { headers: { authorization: `Bearer ${USERS.alice.token}` } });
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(hub.process.exitCode, null);
    const me = await fetch(`${hub.url}/api/whoami-v2`, {
      headers: { authorization: `Bearer ${USERS.alice.token}` },
    });
    assert.equal(((await me.json()) as { name: string }).name, "alice");
  });

  it("admin routes: anonymous 401, a non-admin 403, the admin 200", async () => {
    assert.equal((await fetch(`${hub.url}/_hubferry/stats`)).status, 401);
    const bob = { authorization: `Bearer ${USERS.bob.token}` };
    assert.equal((await fetch(`${hub.url}/_hubferry/stats`, { headers: bob })).status, 403);
    assert.equal(
      (await fetch(`${hub.url}/_hubferry/faults`, { method: "DELETE", headers: bob })).status,
      403,
    );
    assert.equal((await fetch(`${hub.url}/_hubferry/faults`, { method: "DELETE" })).status, 401);
    const admin = { authorization: `Bearer ${USERS.admin.token}` };
    assert.equal((await fetch(`${hub.url}/_hubferry/stats`, { headers: admin })).status, 200);
  });

  it("ModelScope login sets a random session id (not the token) that logs in, and logout ends it", async () => {
    const login = await fetch(`${hub.url}/api/v1/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ AccessToken: USERS.alice.msToken }),
    });
    const setCookie = String(login.headers.get("set-cookie"));
    const id = /^m_session_id=([^;]+);/.exec(setCookie)![1]!;
    assert.notEqual(id, USERS.alice.msToken);
    assert.doesNotMatch(setCookie, /ms-alice/);
    assert.match(setCookie, /Max-Age=\d+/);
    const me = () => fetch(`${hub.url}/openapi/v1/users/me`, { headers: { cookie: `m_session_id=${id}` } });
    assert.equal(((await (await me()).json()) as { data: { username: string } }).data.username, "alice");
    const out = await fetch(`${hub.url}/api/v1/logout`, {
      method: "POST",
      headers: { cookie: `m_session_id=${id}` },
    });
    assert.equal(out.status, 200);
    assert.equal((await me()).status, 401);
  });

  it("--session-ttl: a session past its lifetime no longer logs in", async () => {
    const h = await startTestHub(["--session-ttl", "1"]);
    try {
      const login = await fetch(`${h.url}/api/v1/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ AccessToken: USERS.alice.msToken }),
      });
      const id = /^m_session_id=([^;]+);/.exec(String(login.headers.get("set-cookie")))![1]!;
      const me = () => fetch(`${h.url}/openapi/v1/users/me`, { headers: { cookie: `m_session_id=${id}` } });
      assert.equal((await me()).status, 200);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await me()).status, 401);
    } finally {
      await h.stop();
    }
  });

  it("--access-log: one line per request with no token, cookie or URL signature", async () => {
    const dir = await tempDir("alog");
    const log = join(dir.path, "access.log");
    const h = await startTestHub(["--access-log", log]);
    try {
      await fetch(`${h.url}/api/whoami-v2?sig=deadbeefsignature&exp=1`, {
        headers: {
          authorization: `Bearer ${USERS.alice.token}`,
          cookie: `m_session_id=${USERS.alice.msToken}`,
        },
      });
    } finally {
      await h.stop();
    }
    const { readFile } = await import("node:fs/promises");
    const text = await readFile(log, "utf8");
    await dir.cleanup();
    const line = text.split("\n").find((l) => l.includes("/api/whoami-v2"))!;
    assert.match(line, /^\S+Z GET \/api\/whoami-v2\?sig=\*\*\*&exp=1 200 \d+ \d+ms alice$/);
    assert.doesNotMatch(text, /hf_alice|ms-alice|deadbeef/);
  });
});

describe("hubferry serve: users file", () => {
  it("one token for two users is refused at start with the line numbers (exit 2), never the token", async () => {
    const dir = await tempDir("dup");
    try {
      const file = join(dir.path, "users.yaml");
      const secret = "hf_shared_secret_value_9";
      await writeFile(
        file,
        `users:\n  - name: a\n    tokens:\n      - value: ${secret}\n  - name: b\n    tokens:\n      - value: ${secret}\n`,
      );
      const r = await run(
        process.execPath,
        [CLI, "serve", "--root", join(dir.path, "r"), "--port", "0", "--users", file],
        {},
      );
      assert.equal(r.code, 2);
      assert.match(r.stderr, /line 4.*line 7/);
      assert.ok(!(r.stdout + r.stderr).includes(secret));
      await writeFile(file, `users:\n  - name: a\n    tokens:\n      - value: "${secret}\n      x: [\n`);
      const bad = await run(
        process.execPath,
        [CLI, "serve", "--root", join(dir.path, "r"), "--port", "0", "--users", file],
        {},
      );
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /line \d+, column \d+/);
      assert.ok(!(bad.stdout + bad.stderr).includes(secret), bad.stderr);
    } finally {
      await dir.cleanup();
    }
  });
});
