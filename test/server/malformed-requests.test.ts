import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestHub, type TestHub } from "../helpers/local-hub.js";

/** Requests an attacker would send: each gets its answer, and the hub goes on serving. */
let hub: TestHub;

before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.stop();
});

describe("malformed requests never end the local hub", () => {
  it("a malformed session cookie on any route is an answer, not a crash", async () => {
    const paths = [
      "/api/models",
      "/api/whoami-v2",
      "/api/v1/models/alice/x",
      "/api/v1/users/login/info",
      "/",
    ];
    for (const cookie of ["m_session_id=%", "m_session_id=%E0%A4%A", "m_session_id=%%%; other=%"]) {
      for (const path of paths) {
        const res = await fetch(`${hub.url}${path}`, { headers: { cookie } });
        assert.ok(res.status < 500, `${cookie} on ${path}: ${res.status}`);
        await res.arrayBuffer();
      }
    }
    const alive = await fetch(`${hub.url}/api/models`);
    assert.equal(alive.status, 200);
  });
});
