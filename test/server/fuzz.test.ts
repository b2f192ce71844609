import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { pseudoRandom, sha256 } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { mulberry32 as prng } from "../helpers/prng.js";
import { sendAborted, sendRaw, statusOf } from "../helpers/raw-http.js";
import { paramNames, parsePattern, renderPattern } from "../helpers/route-paths.js";

/**
 * Requests on every route the hub's router registers (its own list, from `/_hubferry/routes`),
 * path parameters filled with valid and hostile values, random methods, headers and bodies, plus
 * malformed HTTP and uploads cut mid-body on every upload route. Every answer must be well-formed
 * HTTP below 500, no internal error may be logged, the process must stay up, a download afterwards
 * must be byte-identical, no cut upload may leave a commit or a temp file behind. Seeded
 * (FUZZ_SEED=n to replay), bounded in count; loopback only.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const RANDOM_COUNT = 1200;

const rand = prng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const DATA = Buffer.alloc(5000, 7);
/** Valid values of path parameters: `bob/play` exists (the fuzz may change it; `bob/keep` it never names). */
const VALID: Record<string, string> = {
  ns: "bob",
  name: "play",
  rev: "main",
  path: "data.bin",
  sha256: sha256(DATA),
  oid: sha256(DATA),
  size: String(DATA.length),
  repo: "0".repeat(24),
  upload: "ab".repeat(12),
  part: "1",
  ref: "fuzz-branch",
  org: "acme",
  numericId: "1",
};
const HOSTILE = [
  "missing",
  "..",
  "%2e%2e",
  "..%2F..%2Fetc%2Fpasswd",
  "a/../../b",
  "%",
  "%zz",
  "%E0%A4%A",
  "%00",
  "%C3%A9t%C3%A9%E2%82%AC",
  "\u00e9t\u00e9\u20ac",
  "a".repeat(3000),
  "",
];
const JUNK_QUERY = [
  "",
  "",
  "?cursor=%%%",
  "?limit=-1&cursor=zz",
  "?FilePath=%",
  "?Revision=..&FilePath=../x",
];
const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"];
const AUTHS = [
  undefined,
  `Bearer ${USERS.bob.token}`,
  `Bearer ${USERS.reader.token}`,
  `Bearer ${USERS.admin.token}`,
  "Bearer %",
  "Bearer",
  "Basic x",
];
const BODIES = [
  "",
  "{",
  "null",
  "[]",
  '{"AccessToken":1}',
  '{"key":"value"}\n{',
  "--x\r\n\r\n",
  "\u0000\u0001",
];

/** Well-formed JSON of every shape a handler might not expect: each reaches every body-reading route. */
const JSON_SHAPES = [
  "null",
  "0",
  '"x"',
  "[]",
  "{}",
  "[null]",
  '{"paths":null,"files":7,"objects":"x","oid":{},"size":"big","Path":5,"name":[],"type":{}}',
  '{"paths":[null,{}],"objects":[null],"parts":[{}],"operations":[1],"__proto__":{"x":1}}',
];

interface RouteInfo {
  name: string;
  methods: string[];
  pattern: string;
}

function rawRequest(method: string, target: string, auth: string | undefined, body: string): string {
  const headers = ["Host: 127.0.0.1", "Connection: close"];
  if (auth) headers.push(`Authorization: ${auth}`);
  if (rand() < 0.2) headers.push(`Cookie: m_session_id=${pick(["%", "%zz", USERS.bob.msToken, "x"])}`);
  if (rand() < 0.2)
    headers.push(`Range: ${pick(["bytes=", "bytes=5-1", "bytes=-0", "bytes=99999999999999999999-", "x"])}`);
  if (rand() < 0.15) headers.push("Content-Type: multipart/form-data; boundary=x");
  else if (rand() < 0.3) headers.push(`Content-Type: ${pick(["application/json", "application/x-ndjson"])}`);
  const data = Buffer.from(body);
  headers.push(`Content-Length: ${data.length}`);
  return `${method} ${target} HTTP/1.1\r\n${headers.join("\r\n")}\r\n\r\n${body}`;
}

/** Requests for one route: valid values (as the owner), then each parameter in turn made hostile. */
function routeRequests(route: RouteInfo): string[] {
  const nodes = parsePattern(route.pattern);
  const names = [...new Set(paramNames(nodes))];
  const render = (hostile?: { name: string; value: string }, keep?: () => boolean) =>
    renderPattern(
      nodes,
      (name, inner) => (hostile?.name === name ? hostile.value : (VALID[name] ?? inner())),
      rand,
      keep,
    );
  const out: string[] = [];
  // Valid paths with every optional part left out, then with all kept: a route that shadows
  // another for one choice (`/datasets/x/resolve/...`) cannot hide it for both.
  for (const method of route.methods)
    for (const keep of [() => false, () => true])
      out.push(rawRequest(method, render(undefined, keep), `Bearer ${USERS.bob.token}`, pick(BODIES)));
  for (const name of names)
    for (const value of HOSTILE.filter(() => rand() < 0.5)) {
      const method = rand() < 0.8 ? pick(route.methods) : pick(METHODS);
      out.push(rawRequest(method, render({ name, value }) + pick(JUNK_QUERY), pick(AUTHS), pick(BODIES)));
    }
  return out;
}

/** Each JSON shape, as JSON and as ndjson, to every route with a method that carries a body. */
function jsonShapeRequests(route: RouteInfo): string[] {
  const nodes = parsePattern(route.pattern);
  // The seeded repos are models: a random repo type would stop most requests at a 404.
  const valid: Record<string, string> = { ...VALID, types: "models", type: "model" };
  const target = renderPattern(
    nodes,
    (name, inner) => valid[name] ?? inner(),
    rand,
    () => true,
  );
  const out: string[] = [];
  for (const method of route.methods.filter((m) => m !== "GET" && m !== "HEAD"))
    for (const body of JSON_SHAPES)
      for (const type of ["application/json", "application/x-ndjson"])
        out.push(
          `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
            `Authorization: Bearer ${USERS.bob.token}\r\nContent-Type: ${type}\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
  return out;
}

/** Random requests: a route's path with junk spliced in, any method, any header. */
function randomRequest(routes: RouteInfo[]): string {
  const nodes = parsePattern(pick(routes).pattern);
  let path = renderPattern(
    nodes,
    (name, inner) => (rand() < 0.5 ? pick(HOSTILE) : (VALID[name] ?? inner())),
    rand,
  );
  if (rand() < 0.2) path = path.replace(/[a-z]/, pick(HOSTILE));
  return rawRequest(pick(METHODS), path + pick(JUNK_QUERY), pick(AUTHS), pick(BODIES));
}

const MALFORMED = [
  "GARBAGE\r\n\r\n",
  "GET / HTTP/9.9\r\n\r\n",
  "GET /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
  "GET /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
  `GET /x HTTP/1.1\r\nX: ${"y".repeat(20000)}\r\n\r\n`,
  "GET /x HTTP/1.1\r\nBad Header\r\n\r\n",
];

/** Answers by status class ("2xx"...; "none" when the socket closed without one). */
const tally: Record<string, number> = {};
const failures: string[] = [];
function record(what: string, answer: string, expectAnswer: boolean): void {
  const status = statusOf(answer);
  const cls = status === undefined ? "none" : `${Math.floor(status / 100)}xx`;
  tally[cls] = (tally[cls] ?? 0) + 1;
  // 501 is an answer the hub means (a capability it lacks, e.g. Xet uploads), not a crash.
  if ((status === undefined && expectAnswer) || (status !== undefined && status >= 500 && status !== 501))
    failures.push(`${status ?? "no response"} for ${JSON.stringify(what.slice(0, 200))}`);
}

async function runAll(port: number, requests: string[]): Promise<void> {
  for (let i = 0; i < requests.length; i += 8)
    await Promise.all(requests.slice(i, i + 8).map(async (r) => record(r, await sendRaw(port, r), true)));
}

let hub: TestHub;
let port: number;
let stderr = "";
const bob = { authorization: `Bearer ${USERS.bob.token}` };
const bobMs = { authorization: `Bearer ${USERS.bob.msToken}` };

async function hfCommit(repo: string, lines: unknown[]): Promise<void> {
  const res = await fetch(`${hub.url}/api/models/${repo}/commit/main`, {
    method: "POST",
    headers: { ...bob, "content-type": "application/x-ndjson" },
    body: lines.map((l) => JSON.stringify(l)).join("\n"),
  });
  assert.equal(res.status, 200, await res.text());
}

async function headOf(repo: string): Promise<string> {
  const res = await fetch(`${hub.url}/api/models/${repo}/revision/main`, { headers: bob });
  return ((await res.json()) as { sha: string }).sha;
}

before(async () => {
  // Short expiry: the hub's own sweeper drops abandoned multipart uploads within the test.
  hub = await startTestHub([
    "--upload-expiry",
    "1",
    "--multipart-threshold",
    "200KB",
    "--multipart-chunk-size",
    "100KB",
  ]);
  port = Number(new URL(hub.url).port);
  hub.process.stderr!.on("data", (d) => {
    stderr += d;
  });
  for (const name of ["keep", "play"]) {
    const c = await fetch(`${hub.url}/api/repos/create`, {
      method: "POST",
      headers: { ...bob, "content-type": "application/json" },
      body: JSON.stringify({ name, type: "model" }),
    });
    assert.equal(c.status, 200, await c.text());
    await hfCommit(`bob/${name}`, [
      { key: "header", value: { summary: "seed" } },
      { key: "file", value: { path: "data.bin", content: DATA.toString("base64"), encoding: "base64" } },
    ]);
  }
  const ms = await fetch(`${hub.url}/api/v1/models`, {
    method: "POST",
    headers: bobMs,
    body: JSON.stringify({ Path: "bob", Name: "play", Visibility: 5, License: "MIT" }),
  });
  assert.equal(ms.status, 200, await ms.text());
});
after(async () => {
  await hub?.stop();
});

describe("fuzz: the local hub survives every route with hostile values, malformed HTTP and cut uploads", () => {
  let routes: RouteInfo[] = [];
  let keepHead = "";

  it("lists its routes to an admin only", async () => {
    assert.equal((await fetch(`${hub.url}/_hubferry/routes`)).status, 401);
    assert.equal((await fetch(`${hub.url}/_hubferry/routes`, { headers: bob })).status, 403);
    const res = await fetch(`${hub.url}/_hubferry/routes`, {
      headers: { authorization: `Bearer ${USERS.admin.token}` },
    });
    assert.equal(res.status, 200);
    routes = ((await res.json()) as { routes: RouteInfo[] }).routes;
    for (const name of ["hf.resolve", "hf.lfs-put", "hf.commit", "ms.blob-put", "ms.commit"])
      assert.ok(
        routes.some((r) => r.name === name),
        `${name} missing from ${routes.map((r) => r.name)}`,
      );
    keepHead = await headOf("bob/keep");
  });

  it("every JSON shape (null, numbers, strings, arrays, wrong field types) on every route that takes a body", async () => {
    const requests = routes.flatMap(jsonShapeRequests);
    assert.ok(requests.length >= 100, `only ${requests.length} body requests`);
    await runAll(port, requests);
    assert.deepEqual(failures.slice(0, 10), []);
    assert.doesNotMatch(stderr, /internal error/i);
  });

  it(`every registered route, valid and hostile path values, random and malformed requests (seed ${SEED})`, async () => {
    console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays it)`);
    // Route requests carry bob's token or none of an admin's when a route has no parameter, so the
    // stats (DELETE /_hubferry/stats clears them) still count every route after this phase.
    await runAll(port, routes.flatMap(routeRequests));
    // Each route was reached through the real router (the stats count matches by route name).
    const stats = await hub.stats();
    const missed = routes.filter((r) => r.name !== "admin" && !stats[r.name]).map((r) => r.name);
    assert.deepEqual(missed, [], "routes no request reached");
    const random: string[] = [];
    for (let i = 0; i < RANDOM_COUNT; i++)
      random.push(i % 10 === 0 ? MALFORMED[i % 6]! : randomRequest(routes));
    await runAll(port, random);
    assert.deepEqual(failures.slice(0, 10), [], `seed ${SEED}`);
  });

  it("uploads cut mid-body (Content-Length short, chunked cut mid-chunk) on every upload route", async () => {
    const cuts = await uploadCuts();
    for (const cut of cuts) {
      const body = Buffer.from(cut.body);
      const points = [0, 1 + Math.floor(rand() * (body.length - 2)), body.length - 1];
      for (const n of points) {
        const part = body.subarray(0, n);
        const base = `${cut.method} ${cut.target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${cut.headers}`;
        record(
          cut.target,
          await sendAborted(port, `${base}Content-Length: ${body.length}\r\n\r\n`, part),
          false,
        );
        const chunkHead = `${body.length.toString(16)}\r\n`;
        record(
          cut.target,
          await sendAborted(
            port,
            `${base}Transfer-Encoding: chunked\r\n\r\n`,
            Buffer.concat([Buffer.from(chunkHead), part]),
          ),
          false,
        );
      }
    }
    assert.ok(cuts.length >= 10, `upload routes cut: ${cuts.map((c) => c.route)}`);
    assert.deepEqual(failures.slice(0, 10), [], `seed ${SEED}`);
  });

  it("afterwards: alive, no internal error, no commit from a cut body, nothing left in tmp, download byte-identical", async () => {
    const total = Object.values(tally).reduce((a, b) => a + b, 0);
    console.log(`fuzz: ${total} requests sent; by status class ${JSON.stringify(tally)}`);
    assert.equal(hub.process.exitCode, null);
    assert.equal(await headOf("bob/keep"), keepHead, "a cut commit body must not commit");
    let left: string[] = [];
    for (let i = 0; i < 100; i++) {
      left = await readdir(join(hub.root, "tmp"));
      if (left.length === 0) break;
      await sleep(200);
    }
    assert.deepEqual(left, [], "temp and part files left by cut uploads after the hub's own cleanup");
    const got = Buffer.from(await (await fetch(`${hub.url}/bob/keep/resolve/main/data.bin`)).arrayBuffer());
    assert.equal(sha256(got), sha256(DATA));
    assert.doesNotMatch(stderr, /internal error/i);
  });
});

interface Cut {
  route: string;
  method: string;
  target: string;
  headers: string;
  body: string | Buffer;
}

/** One request per upload route, with a real signed URL where the route needs one. */
async function uploadCuts(): Promise<Cut[]> {
  const auth = `Authorization: Bearer ${USERS.bob.token}\r\n`;
  const msAuth = `Authorization: Bearer ${USERS.bob.msToken}\r\n`;
  const json = "Content-Type: application/json\r\n";
  const small = pseudoRandom(150_000, SEED);
  const big = pseudoRandom(300_000, SEED + 1);
  const batch = async (data: Buffer, transfers: string[]) => {
    const res = await fetch(`${hub.url}/bob/keep.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: { ...bob, "content-type": "application/vnd.git-lfs+json" },
      body: JSON.stringify({
        operation: "upload",
        transfers,
        objects: [{ oid: sha256(data), size: data.length }],
      }),
    });
    assert.equal(res.status, 200);
    const [o] = (
      (await res.json()) as {
        objects: { actions: Record<string, { href: string; header?: Record<string, string> }> }[];
      }
    ).objects;
    return o!.actions;
  };
  const local = (href: string) => {
    const u = new URL(href);
    return u.pathname + u.search;
  };
  const basic = await batch(small, ["basic"]);
  const multi = await batch(big, ["basic", "multipart"]);
  const part1 = multi.upload!.header!["00001"]!;
  const ndjson = [
    JSON.stringify({ key: "header", value: { summary: "cut" } }),
    JSON.stringify({ key: "file", value: { path: "cut.txt", content: "aGVsbG8=", encoding: "base64" } }),
    JSON.stringify({ key: "file", value: { path: "cut2.txt", content: "aGVsbG8=", encoding: "base64" } }),
  ].join("\n");
  const msCommit = JSON.stringify({
    commit_message: "cut",
    actions: [{ action: "create", path: "cut.txt", content: "aGVsbG8=", encoding: "base64" }],
  });
  const form = `--x\r\nContent-Disposition: form-data; name="Name"\r\n\r\ncut-create\r\n--x\r\nContent-Disposition: form-data; name="Path"\r\n\r\nbob\r\n--x--\r\n`;
  return [
    { route: "hf.lfs-put", method: "PUT", target: local(basic.upload!.href), headers: "", body: small },
    {
      route: "hf.lfs-part",
      method: "PUT",
      target: local(part1),
      headers: "",
      body: big.subarray(0, 100_000),
    },
    {
      route: "hf.lfs-complete",
      method: "POST",
      target: local(multi.upload!.href),
      headers: json,
      body: JSON.stringify({ oid: sha256(big), parts: [{ partNumber: 1, etag: "x" }] }),
    },
    {
      route: "hf.lfs-verify",
      method: "POST",
      target: local(basic.verify!.href),
      headers: json,
      body: JSON.stringify({ oid: sha256(small), size: small.length }),
    },
    {
      route: "hf.commit",
      method: "POST",
      target: "/api/models/bob/keep/commit/main",
      headers: `${auth}Content-Type: application/x-ndjson\r\n`,
      body: `${ndjson}\n`,
    },
    {
      route: "hf.preupload",
      method: "POST",
      target: "/api/models/bob/keep/preupload/main",
      headers: auth + json,
      body: JSON.stringify({ files: [{ path: "a.bin", size: 10, sample: "AAAA" }] }),
    },
    {
      route: "hf.lfs-batch",
      method: "POST",
      target: "/bob/keep.git/info/lfs/objects/batch",
      headers: `${auth}Content-Type: application/vnd.git-lfs+json\r\n`,
      body: JSON.stringify({ operation: "upload", objects: [{ oid: sha256(small), size: small.length }] }),
    },
    {
      route: "ms.blob-put",
      method: "PUT",
      target: `/api/v1/repos/models/bob/play/blobs/${sha256(small)}/${small.length}`,
      headers: msAuth,
      body: small,
    },
    {
      route: "ms.commit",
      method: "POST",
      target: "/api/v1/repos/models/bob/play/commit/master",
      headers: msAuth,
      body: msCommit,
    },
    {
      route: "ms.lfs-batch",
      method: "POST",
      target: "/api/v1/repos/models/bob/play/info/lfs/objects/batch",
      headers: msAuth,
      body: JSON.stringify({ operation: "upload", objects: [{ oid: sha256(small), size: small.length }] }),
    },
    {
      route: "ms.create",
      method: "POST",
      target: "/api/v1/models",
      headers: `${msAuth}Content-Type: multipart/form-data; boundary=x\r\n`,
      body: form,
    },
  ];
}
