import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRepo, downloadFile, uploadFile } from "@huggingface/hub";
import { randomName } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";

/** Fidelity points reached through @huggingface/hub (the client that sends them). */
let hub: TestHub;
const accessToken = USERS.alice.token;

before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.stop();
});

describe("@huggingface/hub: fidelity", () => {
  it("createRepo with a license seeds a README whose metadata carries it", async () => {
    const name = `alice/${randomName("licensed")}`;
    await createRepo({ repo: name, license: "apache-2.0", accessToken, hubUrl: hub.url });
    const readme = await downloadFile({ repo: name, path: "README.md", accessToken, hubUrl: hub.url });
    assert.equal(await readme?.text(), "---\nlicense: apache-2.0\n---\n");
    const info = await fetch(`${hub.url}/api/models/${name}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const body = (await info.json()) as { cardData?: { license?: string } };
    assert.equal(body.cardData?.license, "apache-2.0");
  });

  it("a license that is not an id is refused (no YAML injection)", async () => {
    const res = await fetch(`${hub.url}/api/repos/create`, {
      method: "POST",
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: randomName("bad-lic"), license: "mit\ngated: true" }),
    });
    assert.equal(res.status, 400);
  });

  it("raw/ on an LFS file honours Range (206 with Content-Range)", async () => {
    const name = `alice/${randomName("rawrange")}`;
    await createRepo({ repo: name, accessToken, hubUrl: hub.url });
    await uploadFile({
      repo: name,
      accessToken,
      hubUrl: hub.url,
      file: { path: "w.bin", content: new Blob([new Uint8Array([0, 1, 2, 3, 255])]) },
    });
    const full = await fetch(`${hub.url}/${name}/raw/main/w.bin`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const pointer = await full.text();
    assert.match(pointer, /^version https:\/\/git-lfs/);
    const part = await fetch(`${hub.url}/${name}/raw/main/w.bin`, {
      headers: { authorization: `Bearer ${accessToken}`, range: "bytes=0-6" },
    });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), `bytes 0-6/${Buffer.byteLength(pointer)}`);
    assert.equal(await part.text(), pointer.slice(0, 7));
  });
});
