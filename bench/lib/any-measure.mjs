// One measurement of the any-to-any bench: a child process timed under /usr/bin/time (wall, peak
// RSS, bytes written to disk, CPU), the hub's request counts around it, hubferry's own account of
// the bytes it moved (the `summary` event) and its notes, then the result checked byte for byte.
// Every copy lands in a new repo on the one hub, so no destination already holds the objects
// (the hub dedups LFS objects per repo, not across repos).
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { requestCounts } from "./hubs.mjs";
import { failed, TOKENS } from "./measure.mjs";
import { contentOf } from "./shapes.mjs";
import { lastJson, timed } from "./timed.mjs";
import { verifyRepo } from "./verify.mjs";

const root = new URL("../..", import.meta.url).pathname;

/** hubferry's JSON lines on stdout, parsed (other lines left out). */
function events(out) {
  const list = [];
  for (const l of out.split("\n")) {
    if (!l.startsWith("{")) continue;
    try {
      list.push(JSON.parse(l));
    } catch {}
  }
  return list;
}

/** Requests per route between two readings of the hub's stats, the routes that moved only. */
function routesBetween(before, after) {
  const out = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

/**
 * Runs `cmd argv` against `ctx.hub`, then checks `dest` ({ face, repo }) holds the manifest.
 * `kind` is "hubferry" (its JSON events are read) or "python" (the last line is the result).
 */
export async function measure(ctx, { label, cmd, argv, dest, kind }) {
  const before = await requestCounts(ctx.hub);
  const r = await timed(cmd, argv, ctx.env);
  const after = await requestCounts(ctx.hub);
  let summary;
  let notes = [];
  let python;
  if (kind === "hubferry") {
    const list = events(r.out);
    summary = list.find((e) => e.event === "summary");
    const plan = list.find((e) => e.event === "plan");
    notes = [...(plan?.notes ?? []), ...list.filter((e) => e.event === "note").map((e) => e.message)];
    if (r.code !== 0 || !summary) throw failed(label, r);
  } else {
    python = lastJson(r.out);
    if (r.code !== 0 || !python?.ok) throw failed(label, r);
  }
  const extra = await verifyRepo(
    { face: dest.face, url: ctx.hub.direct, token: TOKENS[dest.face], repo: dest.repo },
    ctx.manifest,
    label,
  );
  const routes = routesBetween(before, after);
  return {
    label,
    seconds: r.seconds,
    rssMiB: r.rssMiB,
    diskWritesBytes: r.diskWritesBytes,
    cpuSeconds: r.cpuSeconds,
    bytes: summary?.bytes,
    storedBytes: summary?.storedBytes,
    requests: Object.values(routes).reduce((n, v) => n + v, 0),
    routes,
    notes,
    python,
    extra,
  };
}

export const hubferryCmd = (...args) => ({
  cmd: process.execPath,
  argv: [join(root, "bin/hubferry.js"), ...args],
  kind: "hubferry",
});

export const sequentialCmd = (ctx, spec) => ({
  cmd: ctx.python.hf,
  argv: [
    join(root, "bench/sequential.py"),
    "run",
    JSON.stringify({ ...spec, hf_python: ctx.python.hf, ms_python: ctx.python.ms }),
  ],
  kind: "python",
});

/** The seeded files written into `folder` (large ones streamed), as a user's model folder. */
export async function writeFolder(folder, manifest) {
  for (const f of manifest) {
    const path = join(folder, f.path);
    await mkdir(dirname(path), { recursive: true });
    const body = contentOf(f);
    await pipeline(
      Buffer.isBuffer(body) ? Readable.from([body]) : Readable.from(body),
      createWriteStream(path),
    );
  }
}

/** The head commit of the source's default branch: `--revision <sha>` makes hubferry stream. */
export async function headSha(hub, repo) {
  const res = await fetch(`${hub.direct}/api/models/${repo}`, {
    headers: { authorization: `Bearer ${TOKENS.hf}` },
  });
  if (!res.ok) throw new Error(`GET /api/models/${repo}: ${res.status}`);
  const { sha } = await res.json();
  if (!/^[0-9a-f]{40}$/.test(sha ?? "")) throw new Error(`GET /api/models/${repo}: no sha`);
  return sha;
}
