import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { pseudoRandom, sha256 } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { sendAborted } from "../helpers/raw-http.js";

/**
 * A client that goes away mid-body is no bug of the hub: it was answered (and logged) as an
 * internal error (500 to a closed socket, a stack trace on stderr) on every upload route.
 */
describe("an upload cut mid-body is not an internal error", () => {
  let hub: TestHub;
  let stderr = "";
  const bob = { authorization: `Bearer ${USERS.bob.token}` };
  before(async () => {
    hub = await startTestHub();
    hub.process.stderr!.on("data", (d) => {
      stderr += d;
    });
    const c = await fetch(`${hub.url}/api/repos/create`, {
      method: "POST",
      headers: { ...bob, "content-type": "application/json" },
      body: JSON.stringify({ name: "cut", type: "model" }),
    });
    assert.equal(c.status, 200);
  });
  after(async () => {
    await hub?.stop();
  });

  it("NDJSON commit and LFS PUT cut short: nothing logged, no commit, the hub answers", async () => {
    const port = Number(new URL(hub.url).port);
    const data = pseudoRandom(100_000, 5);
    const batch = await fetch(`${hub.url}/bob/cut.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: { ...bob, "content-type": "application/vnd.git-lfs+json" },
      body: JSON.stringify({ operation: "upload", objects: [{ oid: sha256(data), size: data.length }] }),
    });
    const href = new URL(
      ((await batch.json()) as { objects: { actions: { upload: { href: string } } }[] }).objects[0]!.actions
        .upload.href,
    );
    const line = JSON.stringify({ key: "header", value: { summary: "cut" } });
    const head = (method: string, target: string, length: number, extra = "") =>
      `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Content-Length: ${length}\r\n\r\n`;
    const auth = `Authorization: Bearer ${USERS.bob.token}\r\n`;
    await sendAborted(port, head("PUT", href.pathname + href.search, data.length), data.subarray(0, 5000));
    await sendAborted(
      port,
      head("POST", "/api/models/bob/cut/commit/main", 10_000, auth),
      Buffer.from(`${line}\n{"key":"file"`),
    );
    const info = await fetch(`${hub.url}/api/models/bob/cut/revision/main`, { headers: bob });
    assert.equal(info.status, 200);
    const commits = await fetch(`${hub.url}/api/models/bob/cut/commits/main`, { headers: bob });
    assert.equal(((await commits.json()) as unknown[]).length, 1, "only the initial commit");
    await sleep(300); // the hub's stderr reaches this process through a pipe
    assert.doesNotMatch(stderr, /internal error/i);
  });
});
