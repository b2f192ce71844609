// One measurement each: a child process timed under /usr/bin/time, a fresh destination hub where
// the method writes (a hub that already stores the objects would skip their upload), the result
// checked against the source, the hub stopped and its store removed.
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { requestCounts, requestsBetween, startHub } from "./hubs.mjs";
import { lastJson, timed } from "./timed.mjs";
import { verifyRepo } from "./verify.mjs";

const root = new URL("../..", import.meta.url).pathname;

export const TOKENS = {
  hf: `hf_${randomBytes(12).toString("hex")}`,
  ms: `ms-${randomBytes(12).toString("hex")}`,
};

/** A clean environment: no inherited tokens, endpoints or caches; HOME inside the bench dir. */
export function baseEnv(ctx) {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LANG: "C.UTF-8",
    HOME: join(ctx.dir, "home"),
    HF_HOME: join(ctx.dir, "home", "hf"),
    HF_TOKEN: TOKENS.hf,
    MODELSCOPE_API_TOKEN: TOKENS.ms,
    MODELSCOPE_CACHE: join(ctx.dir, "home", "ms-cache"),
    HF_HUB_DISABLE_XET: "1",
    HF_HUB_DISABLE_TELEMETRY: "1",
    HF_HUB_DISABLE_UPDATE_CHECK: "1",
    HF_HUB_DISABLE_PROGRESS_BARS: "1",
    INTRA_CLOUD_ACCELERATION: "false",
    MODELSCOPE_DOWNLOAD_INTRA_CLOUD: "false",
    TQDM_DISABLE: "1",
  };
}

/** Endpoints as each client reads them, for a copy from `source` (a hub) to `dest` (a hub). */
function endpoints(direction, source, dest) {
  const [hf, ms] = direction.from === "hf" ? [source, dest] : [dest, source];
  return { HF_ENDPOINT: hf.urlFor("hf"), MODELSCOPE_ENDPOINT: ms.urlFor("ms") };
}

const usage = (r, extra = {}) => ({
  wall: r.seconds,
  rssMiB: r.rssMiB,
  diskWritesBytes: r.diskWritesBytes,
  cpuSeconds: r.cpuSeconds,
  ...extra,
});

export function failed(what, r) {
  return new Error(`${what} exited ${r.code}: ${(r.out + r.err).slice(-2500)}`);
}

/**
 * A fresh destination hub for `fn(hub)`, always stopped and removed after. When shaped, the bytes
 * uploaded through its proxy are checked: fewer than the repo's means something bypassed the shaper.
 */
async function withDestHub(ctx, label, fn) {
  const hub = await startHub(
    join(ctx.dir, `dest-${label}-${randomBytes(3).toString("hex")}`),
    ctx.usersFile,
    ctx.shaping,
  );
  let ok = false;
  try {
    const result = await fn(hub);
    ok = true;
    return result;
  } finally {
    const link = await hub.stop({ remove: true });
    const total = ctx.manifest.reduce((n, f) => n + f.size, 0);
    if (ok && link && link.up < total)
      ctx.warnings.add(
        `${label}: ${link.up} bytes crossed the destination's shaper, fewer than the repo's ${total}`,
      );
  }
}

const hubSpec = (face, hub, repo) => ({ face, url: hub.urlFor(face), token: TOKENS[face], repo });

async function limitRun(ctx, spec, what) {
  const r = await timed(
    process.execPath,
    [join(root, "bench/lib/limits.mjs"), JSON.stringify(spec)],
    baseEnv(ctx),
  );
  const res = lastJson(r.out);
  if (r.code !== 0 || !res) throw failed(what, r);
  return { ...res, r };
}

export async function readAlone(ctx, direction, source) {
  const before = await requestCounts(source);
  const { seconds, r } = await limitRun(
    ctx,
    { op: "read", source: hubSpec(direction.from, source, ctx.repo), streams: ctx.streams },
    "read alone",
  );
  return { seconds, ...usage(r, { requests: requestsBetween(before, await requestCounts(source)) }) };
}

export async function uploadAlone(ctx, direction) {
  return withDestHub(ctx, "upload", async (dest) => {
    const spec = hubSpec(direction.to, dest, ctx.repo);
    const { seconds, r } = await limitRun(
      ctx,
      { op: "upload", dest: spec, manifest: ctx.manifestFile, streams: ctx.streams },
      "upload alone",
    );
    await verifyRepo({ ...spec, url: dest.direct }, ctx.manifest, "upload alone");
    return { seconds, ...usage(r, { requests: requestsBetween({}, await requestCounts(dest)) }) };
  });
}

export async function naivePipe(ctx, direction, source) {
  return withDestHub(ctx, "pipe", async (dest) => {
    const before = await requestCounts(source);
    const spec = hubSpec(direction.to, dest, ctx.repo);
    const { seconds, r } = await limitRun(
      ctx,
      {
        op: "pipe",
        source: hubSpec(direction.from, source, ctx.repo),
        dest: spec,
        manifest: ctx.manifestFile,
        streams: ctx.streams,
      },
      "naive pipe",
    );
    const requests =
      requestsBetween(before, await requestCounts(source)) + requestsBetween({}, await requestCounts(dest));
    await verifyRepo({ ...spec, url: dest.direct }, ctx.manifest, "naive pipe");
    return { seconds, ...usage(r, { requests }) };
  });
}

/** hubferry migrate onto a fresh hub, then the no-op re-run onto the same hub. */
export async function hubferry(ctx, direction, source) {
  return withDestHub(ctx, "hubferry", async (dest) => {
    const env = { ...baseEnv(ctx), ...endpoints(direction, source, dest) };
    const argv = [
      join(root, "bin/hubferry.js"),
      "migrate",
      `${direction.from}:${ctx.repo}`,
      `${direction.to}:${ctx.repo}`,
      "--yes",
      "--json",
    ];
    const src0 = await requestCounts(source);
    const r = await timed(process.execPath, argv, env);
    if (r.code !== 0) throw failed("hubferry migrate", r);
    const src1 = await requestCounts(source);
    const dest1 = await requestCounts(dest);
    const extra = await verifyRepo(
      { ...hubSpec(direction.to, dest, ctx.repo), url: dest.direct },
      ctx.manifest,
      "hubferry migrate",
    );
    const run = {
      seconds: r.seconds,
      ...usage(r, { requests: requestsBetween(src0, src1) + requestsBetween({}, dest1), extra }),
    };
    const n = await timed(process.execPath, argv, env);
    if (n.code !== 0) throw failed("hubferry migrate (no-op re-run)", n);
    const noop = {
      seconds: n.seconds,
      ...usage(n, {
        destRequests: requestsBetween(dest1, await requestCounts(dest)),
        srcRequests: requestsBetween(src1, await requestCounts(source)),
      }),
    };
    return { run, noop };
  });
}

/** The official clients, one after the other, staging the repo on disk. */
export async function sequential(ctx, direction, source) {
  return withDestHub(ctx, "sequential", async (dest) => {
    const stage = join(ctx.dir, `stage-${randomBytes(3).toString("hex")}`);
    const env = { ...baseEnv(ctx), ...endpoints(direction, source, dest) };
    const spec = {
      direction: `${direction.from}2${direction.to}`,
      repo: ctx.repo,
      stage,
      hf_python: ctx.python.hf,
      ms_python: ctx.python.ms,
    };
    try {
      const src0 = await requestCounts(source);
      const r = await timed(
        ctx.python.hf,
        [join(root, "bench/sequential.py"), "run", JSON.stringify(spec)],
        env,
      );
      const res = lastJson(r.out);
      if (r.code !== 0 || !res?.ok) throw failed("sequential (official clients)", r);
      const requests =
        requestsBetween(src0, await requestCounts(source)) + requestsBetween({}, await requestCounts(dest));
      const extra = await verifyRepo(
        { ...hubSpec(direction.to, dest, ctx.repo), url: dest.direct },
        ctx.manifest,
        "sequential",
      );
      return {
        seconds: r.seconds,
        download_s: res.download_s,
        upload_s: res.upload_s,
        ...usage(r, { requests, extra }),
      };
    } finally {
      await rm(stage, { recursive: true, force: true });
    }
  });
}
