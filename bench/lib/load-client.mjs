#!/usr/bin/env node
// The load benchmark's clients, in their own process (so they do not share the hub's event loop):
//
//   mix   N clients, each looping over a weighted mix of downloads, listings and uploads until the
//         time is up; every HTTP request timed (headers to last body byte)
//   blob  N clients at once, each downloading one whole file (a hub resolve URL, or a plain URL)
//
//   node bench/lib/load-client.mjs '<json>'  ->  prints one JSON line with the counts
// Bodies are streamed and discarded, bytes counted (hashed only with "hash": true).
import { createHash } from "node:crypto";
import { Agent, request } from "undici";

const spec = JSON.parse(process.argv[2]);
const agent = new Agent({ connections: spec.clients, pipelining: 1, keepAliveTimeout: 30_000 });
const auth = { authorization: `Bearer ${spec.token}` };
const stats = { requests: 0, errors: 0, retries: 0, bytes: 0, uploadBytes: 0, ops: {}, latencies: [] };
const errorSamples = [];

function fail(what) {
  stats.errors++;
  if (errorSamples.length < 10) errorSamples.push(what);
}

/** One request, body drained; returns { status, headers, bytes } or undefined on a network error. */
async function call(method, url, { headers = {}, body, expect = [200], hash = false } = {}) {
  const t0 = performance.now();
  stats.requests++;
  try {
    const res = await request(url, { method, headers: { ...auth, ...headers }, body, dispatcher: agent });
    const h = hash ? createHash("sha256") : undefined;
    let n = 0;
    let text = "";
    const keepText = res.headers["content-type"]?.toString().includes("json");
    for await (const chunk of res.body) {
      n += chunk.length;
      h?.update(chunk);
      if (keepText && text.length < 1_000_000) text += chunk;
    }
    stats.latencies.push(performance.now() - t0);
    stats.bytes += n;
    const length = res.headers["content-length"];
    if (!expect.includes(res.statusCode)) {
      if (res.statusCode === 429) stats.retries++;
      else fail(`${method} ${new URL(url).pathname}: ${res.statusCode} ${text.slice(0, 200)}`);
      return { status: res.statusCode };
    }
    if (length !== undefined && method !== "HEAD" && Number(length) !== n)
      fail(`${method} ${new URL(url).pathname}: ${n} bytes, Content-Length ${length}`);
    return { status: res.statusCode, headers: res.headers, bytes: n, text, sha256: h?.digest("hex") };
  } catch (err) {
    fail(`${method} ${url}: ${err.message}`);
    return undefined;
  }
}

/** A resolve that redirects (LFS): the 302, then the signed object URL. */
async function viaRedirect(url, headers = {}, expect = [200]) {
  const first = await call("GET", url, { headers, expect: [302, ...expect] });
  if (first?.status !== 302) return first;
  return call("GET", first.headers.location, { headers, expect });
}

const repo = spec.repo;
const ms = (path) =>
  `${spec.url}/api/v1/models/${repo}/repo?Revision=master&FilePath=${encodeURIComponent(path)}`;
const pick = (list) => list[Math.floor(Math.random() * list.length)];

/** A unique body (so that the hub must store it): a fixed block with the client and counter in front. */
const UPLOAD = Buffer.alloc(spec.uploadBytes ?? 256 * 1024, 0x5a);
function uploadBody(client, n) {
  const b = Buffer.from(UPLOAD);
  b.write(`${process.pid}:${client}:${n}:${Date.now()}`, 0);
  return { b, oid: createHash("sha256").update(b).digest("hex") };
}

async function hfUpload(client, n) {
  const { b, oid } = uploadBody(client, n);
  const name = `${spec.uploadPrefix}${client}`;
  const batch = await call("POST", `${spec.url}/${name}.git/info/lfs/objects/batch`, {
    headers: { "content-type": "application/vnd.git-lfs+json", accept: "application/vnd.git-lfs+json" },
    body: JSON.stringify({ operation: "upload", transfers: ["basic"], objects: [{ oid, size: b.length }] }),
  });
  const href = batch?.text && JSON.parse(batch.text).objects?.[0]?.actions?.upload?.href;
  if (!href) return batch && fail(`hf lfs batch: no upload action: ${batch.text?.slice(0, 200)}`);
  if (!(await call("PUT", href, { body: b }))) return;
  stats.uploadBytes += b.length;
  const lines = [
    { key: "header", value: { summary: `load ${n}` } },
    { key: "lfsFile", value: { path: `up/${n}.bin`, algo: "sha256", oid, size: b.length } },
  ];
  await call("POST", `${spec.url}/api/models/${name}/commit/main`, {
    headers: { "content-type": "application/x-ndjson" },
    body: lines.map((l) => JSON.stringify(l)).join("\n"),
  });
}

async function msUpload(client, n) {
  const { b, oid } = uploadBody(client, n);
  const base = `${spec.url}/api/v1/repos/models/${spec.uploadPrefix}${client}`;
  const batch = await call("POST", `${base}/info/lfs/objects/batch`, {
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ operation: "upload", objects: [{ oid, size: b.length }] }),
  });
  const href = batch?.text && JSON.parse(batch.text).Data?.objects?.[0]?.actions?.upload?.href;
  if (!href) return batch && fail(`ms lfs batch: no upload action: ${batch.text?.slice(0, 200)}`);
  if (!(await call("PUT", href, { body: b }))) return;
  stats.uploadBytes += b.length;
  const body = {
    commit_message: `load ${n}`,
    actions: [{ action: "create", path: `up/${n}.bin`, type: "lfs", size: b.length, sha256: oid }],
  };
  // One commit at a time per repo on ModelScope: a 429 "commit lock busy" is retried, as the SDKs do.
  for (let i = 0; i < 20; i++) {
    const r = await call("POST", `${base}/commit/master`, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (r?.status !== 429) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  fail("ms commit: still locked after 20 tries");
}

const RANGE = 1024 * 1024;
const OPS = {
  "download hf small file": () => call("GET", `${spec.url}/${repo}/resolve/main/${pick(spec.small)}`),
  "download hf LFS file (302 + object)": () => viaRedirect(`${spec.url}/${repo}/resolve/main/${spec.lfs}`),
  "ranged read hf LFS 1 MiB (302 + 206)": () => {
    const start = Math.floor(Math.random() * (spec.bigSize - RANGE));
    return viaRedirect(
      `${spec.url}/${repo}/resolve/main/${spec.big}`,
      { range: `bytes=${start}-${start + RANGE - 1}` },
      [206],
    );
  },
  "download ms small file": () => call("GET", ms(pick(spec.small))),
  "download ms LFS file (302 + object)": () => viaRedirect(ms(spec.lfs)),
  "hf repo info": () => call("GET", `${spec.url}/api/models/${repo}`),
  "hf tree (recursive)": () => call("GET", `${spec.url}/api/models/${repo}/tree/main?recursive=true`),
  "ms file list (recursive)": () =>
    call("GET", `${spec.url}/api/v1/models/${repo}/repo/files?Revision=master&Recursive=true`),
  "hf upload (batch + PUT + commit)": (c, n) => hfUpload(c, n),
  "ms upload (batch + PUT + commit)": (c, n) => msUpload(c, n),
};
const WEIGHTS = {
  "download hf small file": 3,
  "download hf LFS file (302 + object)": 1,
  "ranged read hf LFS 1 MiB (302 + 206)": 3,
  "download ms small file": 2,
  "download ms LFS file (302 + object)": 1,
  "hf repo info": 3,
  "hf tree (recursive)": 1,
  "ms file list (recursive)": 1,
  "hf upload (batch + PUT + commit)": 1,
  "ms upload (batch + PUT + commit)": 1,
};
const wheel = Object.entries(WEIGHTS).flatMap(([k, w]) => Array(w).fill(k));

async function mix() {
  const end = performance.now() + spec.seconds * 1000;
  let n = 0;
  const client = async (c) => {
    // A bounded loop: it stops at the deadline, whatever the hub does.
    while (performance.now() < end) {
      const op = pick(wheel);
      const t0 = performance.now();
      await OPS[op](c, n++);
      stats.ops[op] ??= { count: 0, ms: [] };
      const o = stats.ops[op];
      o.count++;
      o.ms.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: spec.clients }, (_, c) => client(c)));
  return (performance.now() - t0) / 1000;
}

async function blob() {
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: spec.clients }, () =>
      spec.redirect ? viaRedirect(spec.target) : call("GET", spec.target, { hash: spec.hash }),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const r of results) if (r && r.bytes !== spec.size) fail(`blob: ${r.bytes} bytes, not ${spec.size}`);
  return seconds;
}

const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const seconds = spec.mode === "mix" ? await mix() : await blob();
await agent.close();
const ops = Object.fromEntries(
  Object.entries(stats.ops).map(([k, o]) => [k, { count: o.count, p50: pct(o.ms, 50), p99: pct(o.ms, 99) }]),
);
process.stdout.write(
  `${JSON.stringify({
    seconds,
    requests: stats.requests,
    errors: stats.errors,
    retries: stats.retries,
    bytes: stats.bytes,
    uploadBytes: stats.uploadBytes,
    p50: pct(stats.latencies, 50),
    p99: pct(stats.latencies, 99),
    ops,
    errorSamples,
  })}\n`,
);
