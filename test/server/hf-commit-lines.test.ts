import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { randomName } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";

/**
 * HF face: the NDJSON commit is read line by line, and no line is held past its limit (readline
 * kept a line of any length in memory: one endless line could exhaust the hub). Raw HTTP: no
 * client sends such a line.
 */
let hub: TestHub;
const auth = { authorization: `Bearer ${USERS.alice.token}` };
const MiB = 1024 * 1024;
let repo: string;

before(async () => {
  hub = await startTestHub();
  const name = randomName("lines");
  const r = await fetch(`${hub.url}/api/repos/create`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ name, type: "model" }),
  });
  assert.equal(r.status, 200, await r.text());
  repo = `alice/${name}`;
});
after(async () => {
  await hub?.stop();
});

const header = `${JSON.stringify({ key: "header", value: { summary: "lines", description: "" } })}\n`;

function commit(body: ReadableStream<Uint8Array> | string) {
  return fetch(`${hub.url}/api/models/${repo}/commit/main`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/x-ndjson" },
    body,
    duplex: "half",
  } as RequestInit);
}

describe("HF face: NDJSON commit lines are bounded", () => {
  it("a line over 64 MiB is 413 naming the limit, and the hub serves on", async () => {
    let left = 65 * MiB;
    let sentHeader = false;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (!sentHeader) {
          sentHeader = true;
          return c.enqueue(new TextEncoder().encode(header));
        }
        if (left <= 0) return c.close();
        const n = Math.min(left, MiB);
        left -= n;
        c.enqueue(new Uint8Array(n).fill(0x61));
      },
    });
    const r = await commit(body);
    const text = await r.text();
    assert.equal(r.status, 413, text);
    assert.match(text, /Line 2 of the request body is longer than 64 MiB; upload large files through LFS/);
    const info = await fetch(`${hub.url}/api/models/${repo}`, { headers: auth });
    assert.equal(info.status, 200);
  });

  it("CRLF and LF lines, and a last line without a newline, all commit", async () => {
    const file = (path: string, text: string) =>
      JSON.stringify({
        key: "file",
        value: { path, content: Buffer.from(text).toString("base64"), encoding: "base64" },
      });
    const r = await commit(`${header.trim()}\r\n${file("a.txt", "é one\n")}\n${file("b.txt", "two\n")}`);
    assert.equal(r.status, 200, await r.text());
    for (const [path, text] of [
      ["a.txt", "é one\n"],
      ["b.txt", "two\n"],
    ]) {
      const got = await fetch(`${hub.url}/${repo}/resolve/main/${path}`, { headers: auth });
      assert.equal(await got.text(), text, path);
    }
  });
});
