import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { pseudoRandom } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";

/**
 * Bodies are sent in 512 KiB reads through two reused buffers (src/server/http/send-file.ts):
 * whole files and ranges that start, end or straddle a read boundary come back byte for byte, and
 * a client leaving mid-body does not stop the hub serving the next one.
 */
const CHUNK = 512 * 1024;
const DATA = pseudoRandom(3 * CHUNK + 12345, 42);

describe("downloads across read boundaries", () => {
  let hub: TestHub;
  const bob = { authorization: `Bearer ${USERS.bob.token}` };
  const url = () => `${hub.url}/bob/ranges/resolve/main/big.bin`;
  before(async () => {
    hub = await startTestHub();
    const c = await fetch(`${hub.url}/api/repos/create`, {
      method: "POST",
      headers: { ...bob, "content-type": "application/json" },
      body: JSON.stringify({ name: "ranges", type: "model" }),
    });
    assert.equal(c.status, 200);
    const lines = [
      { key: "header", value: { summary: "big" } },
      { key: "file", value: { path: "big.bin", content: DATA.toString("base64"), encoding: "base64" } },
    ];
    const res = await fetch(`${hub.url}/api/models/bob/ranges/commit/main`, {
      method: "POST",
      headers: { ...bob, "content-type": "application/x-ndjson" },
      body: lines.map((l) => JSON.stringify(l)).join("\n"),
    });
    assert.equal(res.status, 200, await res.text());
  });
  after(async () => {
    await hub?.stop();
  });

  it("a whole file and ranges on, across and near read boundaries are byte-identical", async () => {
    const whole = Buffer.from(await (await fetch(url())).arrayBuffer());
    assert.ok(whole.equals(DATA), "whole file");
    const ranges: [string, number, number][] = [
      [`bytes=0-${CHUNK - 1}`, 0, CHUNK - 1],
      [`bytes=${CHUNK - 1}-${CHUNK}`, CHUNK - 1, CHUNK],
      [`bytes=100000-${2 * CHUNK + 7}`, 100000, 2 * CHUNK + 7],
      [`bytes=${CHUNK}-`, CHUNK, DATA.length - 1],
      ["bytes=-700000", DATA.length - 700000, DATA.length - 1],
      [`bytes=${DATA.length - 1}-${DATA.length + 50}`, DATA.length - 1, DATA.length - 1],
    ];
    for (const [header, start, end] of ranges) {
      const res = await fetch(url(), { headers: { range: header } });
      assert.equal(res.status, 206, header);
      assert.equal(res.headers.get("content-range"), `bytes ${start}-${end}/${DATA.length}`);
      const body = Buffer.from(await res.arrayBuffer());
      assert.ok(body.equals(DATA.subarray(start, end + 1)), `${header}: ${body.length} bytes`);
    }
  });

  it("a client that leaves mid-body does not stop the next download", async () => {
    const port = Number(new URL(hub.url).port);
    await new Promise<void>((resolve) => {
      const s = connect(port, "127.0.0.1", () =>
        s.write("GET /bob/ranges/resolve/main/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
      );
      let got = 0;
      s.on("data", (d) => {
        got += d.length;
        if (got > CHUNK) s.destroy();
      });
      s.on("close", () => resolve());
      s.on("error", () => {});
    });
    const again = Buffer.from(await (await fetch(url())).arrayBuffer());
    assert.ok(again.equals(DATA));
    assert.equal(hub.process.exitCode, null);
  });
});
