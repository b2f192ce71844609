// One scaling measurement of the sandboxes bench: `migrate()` of the library with N sandbox
// workers (the process runner), each worker behind its own pair of shaped links (one in front of
// the source hub, one in front of the destination hub), as N Modal sandboxes would each have
// their own network. The coordinator (this process) talks to both hubs directly: it only lists,
// deals and commits, so its calls must not eat a worker's link.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { startHub } from "./hubs.mjs";
import { startLink } from "./links.mjs";
import { TOKENS } from "./measure.mjs";
import { idleLoad, watch } from "./proc-watch.mjs";
import { verifyRepo } from "./verify.mjs";

const root = new URL("../..", import.meta.url).pathname;
const lib = await import(join(root, "dist/index.js"));

/** Endpoints as settings, for a copy `direction.from` -> `direction.to`. */
function endpoints(direction, srcUrl, destUrl) {
  return direction.from === "hf"
    ? { hfEndpoint: srcUrl, msEndpoint: destUrl }
    : { hfEndpoint: destUrl, msEndpoint: srcUrl };
}

/** Per worker, its two links (or the hubs themselves when unshaped). */
async function workerLinks(n, source, dest, shaping, started) {
  const pairs = [];
  for (let k = 0; k < n; k++) {
    if (!shaping) {
      pairs.push({ src: source.direct, dst: dest.direct });
      continue;
    }
    const src = await startLink(source.direct, { down: shaping.down });
    started.push({ side: "src", link: src });
    const dst = await startLink(dest.direct, { up: shaping.up });
    started.push({ side: "dst", link: dst });
    pairs.push({ src: src.url, dst: dst.url });
  }
  return pairs;
}

/**
 * Copies `ctx.repo` with `n` workers onto a fresh destination hub (a hub that already stores the
 * objects would skip their upload), checks every byte, and returns the wall time and what it cost.
 */
export async function scalingRun(ctx, direction, n, shaping) {
  const background = await idleLoad(2000);
  const dest = await startHub(join(ctx.dir, `dest-${n}-${randomBytes(3).toString("hex")}`), ctx.usersFile);
  const started = [];
  const links = { src: { down: 0, up: 0 }, dst: { down: 0, up: 0 } };
  try {
    const pairs = await workerLinks(n, ctx.source, dest, shaping, started);
    const tokens = { hfToken: TOKENS.hf, msToken: TOKENS.ms };
    const workers = new Set();
    let replaced = 0;
    // Worker k of the order (1-based; a replacement gets a number > n) uses link pair (k-1) % n.
    const start = async (job, events, signal) => {
      const pair = pairs[(job.order.worker - 1) % n];
      await lib.runInSandbox({
        provider: new lib.ProcessProvider(),
        args: ["migrate", lib.formatRef(job.source), lib.formatRef(job.destination)].concat([
          "--revision",
          job.revision,
          "--work-order",
          "-",
        ]),
        stdin: JSON.stringify(job.order),
        settings: { ...tokens, ...endpoints(direction, pair.src, pair.dst) },
        events,
        signal,
        timeoutMs: 3600_000,
      });
    };
    let t0 = 0;
    let firstByte;
    const events = (e) => {
      if (
        firstByte === undefined &&
        ((e.event === "file_progress" && e.bytes > 0) || e.event === "file_done")
      )
        firstByte = performance.now() - t0;
      if (e.event === "worker" && e.state === "started") {
        workers.add(e.worker);
        if (e.replaces) replaced++;
      }
    };
    const repo = `bench/scale-${n}${shaping ? "" : "-direct"}`;
    const w = watch({
      pids: { sourceHub: ctx.source.pid, destHub: dest.pid },
      groups: { shapers: started.map((s) => s.link.pid) },
    });
    t0 = performance.now();
    const res = await lib.migrate({
      source: lib.parseRepoRef(`${direction.from}:${ctx.repo}`),
      destination: lib.parseRepoRef(`${direction.to}:${repo}`),
      settings: { ...tokens, ...endpoints(direction, ctx.source.direct, dest.direct) },
      events,
      workers: { count: n, start },
    });
    const seconds = (performance.now() - t0) / 1000;
    const usage = w.stop();
    const extra = await verifyRepo(
      { face: direction.to, url: dest.direct, token: TOKENS[direction.to], repo },
      ctx.manifest,
      `--sandboxes ${n}`,
    );
    return {
      n,
      shaped: Boolean(shaping),
      background,
      seconds,
      firstByte: firstByte / 1000,
      bytes: res.plan.bytes,
      files: res.plan.copy.length,
      workers: workers.size,
      replaced,
      extra,
      ...usage,
      links,
    };
  } finally {
    for (const { side, link } of started) {
      const b = await link.stop();
      links[side].down += b?.down ?? 0;
      links[side].up += b?.up ?? 0;
    }
    await dest.stop({ remove: true });
  }
}
