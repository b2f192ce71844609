import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { sha256 } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";

/**
 * Random and malformed requests over raw sockets against `hubferry serve`: every answer must be
 * well-formed HTTP below 500, the process must stay up, and a normal download afterwards must come
 * back byte-identical. Seeded (FUZZ_SEED=n to replay), bounded in count.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const COUNT = 1500;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PATHS = [
  "/api/models",
  "/api/whoami-v2",
  "/api/repos/create",
  "/api/repos/delete",
  "/api/validate-yaml",
  "/api/models/bob/keep",
  "/api/models/bob/keep/tree/main",
  "/api/models/bob/keep/paths-info/main",
  "/api/models/bob/keep/preupload/main",
  "/api/models/x/y/commit/main",
  "/api/models/bob/keep/refs",
  "/api/models/bob/keep/commits/main",
  "/api/models/x/y/settings",
  "/api/models/x/y/branch/b",
  "/bob/keep/resolve/main/data.bin",
  "/x/y.git/info/lfs/objects/batch",
  `/_hubferry/objects/${"a".repeat(64)}`,
  `/_hubferry/lfs/${"b".repeat(64)}/10`,
  "/_hubferry/stats",
  "/_hubferry/faults",
  "/_hubferry/health",
  "/api/v1/login",
  "/api/v1/logout",
  "/openapi/v1/users/me",
  "/openapi/v1/models",
  "/api/v1/models",
  "/api/v1/datasets",
  "/api/v1/models/bob/keep",
  "/api/v1/models/bob/keep/repo",
  "/api/v1/models/bob/keep/repo/files",
  "/api/v1/datasets/1/repo/tree",
  "/api/v1/repos/models/x/y/commit/master",
  "/api/v1/repos/models/x/y/info/lfs/objects/batch",
];
const JUNK = [
  "%",
  "%zz",
  "%E0%A4%A",
  "..",
  "%00",
  "\u00e9",
  "a".repeat(300),
  "?cursor=%%%",
  "?limit=-1&cursor=zz",
  "?FilePath=%",
];
const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"];

function request(rand: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  let path = pick(PATHS);
  if (rand() < 0.5) path += pick(JUNK);
  if (rand() < 0.2) path = path.replace(/[a-z]/, pick(JUNK));
  const headers = [`Host: 127.0.0.1`, "Connection: close"];
  if (rand() < 0.3) headers.push(`Cookie: m_session_id=${pick(["%", "%zz", USERS.alice.msToken, "x"])}`);
  if (rand() < 0.3)
    headers.push(`Authorization: ${pick(["Bearer", "Bearer %", `Bearer ${USERS.alice.token}`, "Basic x"])}`);
  if (rand() < 0.3)
    headers.push(`Range: ${pick(["bytes=", "bytes=5-1", "bytes=-0", "bytes=99999999999999999999-", "x"])}`);
  const bodies = [
    "",
    "{",
    "null",
    "[]",
    '{"AccessToken":1}',
    '{"key":"value"}\n{',
    "--x\r\n\r\n",
    "\u0000\u0001",
  ];
  const body = Buffer.from(pick(bodies));
  if (rand() < 0.2) headers.push("Content-Type: multipart/form-data; boundary=x");
  else if (rand() < 0.3) headers.push(`Content-Type: ${pick(["application/json", "application/x-ndjson"])}`);
  headers.push(`Content-Length: ${body.length}`);
  return `${pick(METHODS)} ${path} HTTP/1.1\r\n${headers.join("\r\n")}\r\n\r\n${body}`;
}

const MALFORMED = [
  "GARBAGE\r\n\r\n",
  "GET / HTTP/9.9\r\n\r\n",
  "GET /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
  "GET /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
  `GET /x HTTP/1.1\r\nX: ${"y".repeat(20000)}\r\n\r\n`,
  "GET /x HTTP/1.1\r\nBad Header\r\n\r\n",
];

function send(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    // No half-close: a client FIN may end the socket before a streamed answer; `Connection: close` ends it.
    const s = connect(port, "127.0.0.1", () => s.write(text));
    let out = "";
    const timer = setTimeout(() => s.destroy(), 10_000);
    s.on("data", (d) => {
      out += d.toString("latin1");
    });
    s.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
    s.on("error", () => {});
  });
}

let hub: TestHub;
before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.stop();
});

describe("fuzz: the local hub survives malformed and random requests", () => {
  it(`${COUNT} requests (seed ${SEED}), then a download is byte-identical`, async () => {
    console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays it)`);
    const auth = { authorization: `Bearer ${USERS.bob.token}` };
    await fetch(`${hub.url}/api/repos/create`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "keep", type: "model" }),
    });
    const data = Buffer.alloc(5000, 7);
    const ndjson = [
      { key: "header", value: { summary: "seed" } },
      { key: "file", value: { path: "data.bin", content: data.toString("base64"), encoding: "base64" } },
    ]
      .map((l) => JSON.stringify(l))
      .join("\n");
    const c = await fetch(`${hub.url}/api/models/bob/keep/commit/main`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/x-ndjson" },
      body: ndjson,
    });
    assert.equal(c.status, 200, await c.text());
    const rand = prng(SEED);
    const port = Number(new URL(hub.url).port);
    let sent = 0;
    const failures: string[] = [];
    const jobs = Array.from({ length: COUNT }, (_, i) =>
      i % 10 === 0 ? MALFORMED[i % MALFORMED.length]! : request(rand),
    );
    for (let i = 0; i < jobs.length; i += 8) {
      await Promise.all(
        jobs.slice(i, i + 8).map(async (req) => {
          const out = await send(port, req);
          sent++;
          const m = /^HTTP\/1\.1 (\d{3}) /.exec(out);
          if (!m || Number(m[1]) >= 500)
            failures.push(`${m?.[1] ?? "no response"} for ${JSON.stringify(req.slice(0, 200))}`);
        }),
      );
    }
    console.log(`fuzz: ${sent} requests sent, ${failures.length} failures`);
    assert.deepEqual(failures.slice(0, 10), [], `seed ${SEED}`);
    assert.equal(hub.process.exitCode, null);
    const got = Buffer.from(await (await fetch(`${hub.url}/bob/keep/resolve/main/data.bin`)).arrayBuffer());
    assert.equal(sha256(got), sha256(data));
  });
});
