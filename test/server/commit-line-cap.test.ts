import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { statusOf } from "../helpers/raw-http.js";

/**
 * An NDJSON commit line is held whole in memory while it is read: a line with no end would grow
 * the hub until it died. Lines are capped at 64 MiB: past that, 413 while the body still streams.
 */
describe("commit payload lines are bounded", () => {
  let hub: TestHub;
  const bob = { authorization: `Bearer ${USERS.bob.token}` };
  before(async () => {
    hub = await startTestHub();
    const c = await fetch(`${hub.url}/api/repos/create`, {
      method: "POST",
      headers: { ...bob, "content-type": "application/json" },
      body: JSON.stringify({ name: "lines", type: "model" }),
    });
    assert.equal(c.status, 200);
  });
  after(async () => {
    await hub?.stop();
  });

  it("a line running past 64 MiB is answered 413 before the body ends; the hub stays up", async () => {
    const port = Number(new URL(hub.url).port);
    const piece = Buffer.alloc(1024 * 1024, 0x61);
    // Up to 80 MiB in 1 MiB chunks of a chunked body, stopping as soon as an answer arrives.
    const answer = await new Promise<{ text: string; sent: number }>((resolve) => {
      let text = "";
      let sent = 0;
      const s = connect(port, "127.0.0.1", async () => {
        s.write(
          `POST /api/models/bob/lines/commit/main HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${USERS.bob.token}\r\nContent-Type: application/x-ndjson\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n`,
        );
        while (sent < 80 && !text && !s.destroyed) {
          const ok = s.write(
            Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")]),
          );
          sent++;
          if (!ok) await new Promise((r) => s.once("drain", r));
        }
        if (!text && !s.destroyed) s.write("0\r\n\r\n");
      });
      s.on("data", (d) => {
        text += d.toString("latin1");
      });
      // Bounded: a hub that never answers (the old one read the line to its end) fails the test.
      const timer = setTimeout(() => s.destroy(), 60_000);
      s.on("close", () => {
        clearTimeout(timer);
        resolve({ text, sent });
      });
      s.on("error", () => {});
    });
    assert.equal(statusOf(answer.text), 413, answer.text.slice(0, 300));
    assert.match(answer.text, /longer than 67108864 bytes/);
    assert.ok(answer.sent < 80, `answered only after the whole body (${answer.sent} MiB sent)`);
    const info = await fetch(`${hub.url}/api/models/bob/lines`, { headers: bob });
    assert.equal(info.status, 200);
  });
});
