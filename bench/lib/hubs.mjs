// Local hubs as child processes (`hubferry serve`), each optionally behind a shaping proxy
// (bench/shaper.mjs). Every child is tracked (children.mjs), so that `stopAll` ends them all.
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { stopChild, track } from "./children.mjs";
import { TOKENS } from "./measure.mjs";

const root = new URL("../..", import.meta.url).pathname;
/**
 * Starts a node script that prints one JSON line with its `url` when ready. Its stdin stays open
 * as long as this process lives (the shaper exits when it closes).
 */
export function startListening(argv, what) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, argv, { stdio: ["pipe", "pipe", "pipe"] }));
    let err = "";
    child.stderr.on("data", (d) => {
      err = (err + d).slice(-4000);
    });
    createInterface({ input: child.stdout }).once("line", (l) => {
      try {
        resolve({ url: JSON.parse(l).url, child, stderr: () => err });
      } catch {
        reject(new Error(`${what}: unexpected first line: ${l}`));
      }
    });
    child.once("exit", (c, sig) => {
      reject(new Error(`${what} exited (${c ?? sig}) before listening: ${err}`));
    });
  });
}

/**
 * `hubferry serve` (of this checkout, or `checkout`) over a store, on any free port, ready line in
 * JSON. LFS only (`--no-xet`): the benches measure the LFS paths, and the Xet layouts a hub
 * otherwise computes for each large file in the background would take the same 2 cores.
 */
export function serveArgv(storeRoot, usersFile, extra = [], checkout = root) {
  const bin = join(checkout, "bin/hubferry.js");
  const xet = checkout === root ? ["--no-xet"] : [];
  return [bin, "serve", "--root", storeRoot, "--port", "0", "--users", usersFile, "--json", ...xet, ...extra];
}

/** The shaper's flags for one face's link ({ down, up, latency, perConnection }). */
function shaperFlags(link) {
  const flags = [];
  if (link.down) flags.push("--down", link.down);
  if (link.up) flags.push("--up", link.up);
  if (link.latency) flags.push("--latency", link.latency);
  if (link.perConnection) flags.push("--per-connection", link.perConnection);
  return flags;
}

/** What crossed a stopped shaper ({ down, up, connections }, from its last line), or undefined. */
function shaperCounts(stderr) {
  const m = /"event":"stopped","down":(\d+),"up":(\d+),"connections":(\d+)/.exec(stderr);
  return m ? { down: Number(m[1]), up: Number(m[2]), connections: Number(m[3]) } : undefined;
}

/**
 * A shaping proxy alone in front of `hubUrl` (a fresh one counts the connections of one
 * measurement). `stop()` ends it and returns what crossed it ({ down, up, connections }); `pid` is
 * the proxy's process.
 */
export async function startShaper(hubUrl, link) {
  const proxy = await startProxy(hubUrl, link);
  return {
    url: proxy.url,
    pid: proxy.child.pid,
    async stop() {
      await stopChild(proxy.child);
      return shaperCounts(proxy.stderr());
    },
  };
}

function startProxy(hubUrl, link) {
  return startListening(
    [
      join(root, "bench/shaper.mjs"),
      "--target",
      new URL(hubUrl).host,
      "--exit-with-stdin",
      ...shaperFlags(link),
    ],
    "shaper",
  );
}

/**
 * A hub over `storeRoot`. `urlFor(face)` is what that face's clients use: when shaping
 * ({ hf, ms }, see args.mjs), a proxy per face (one for both when their links are the same);
 * `url` is the HF face's. `direct` is the hub itself (the benchmark's own admin calls and checks,
 * which must not count against the shaped link). `stop({ remove })` ends the hub and its proxies
 * and, with remove, deletes the store; it returns the bytes that crossed the proxies ({ down, up,
 * connections }, summed over the faces), undefined when not shaped.
 */
export async function startHub(storeRoot, usersFile, shaping) {
  const hub = await startListening(serveArgv(storeRoot, usersFile), `hub ${storeRoot}`);
  const proxies = {};
  if (shaping) {
    try {
      proxies.hf = await startProxy(hub.url, shaping.hf);
      proxies.ms =
        JSON.stringify(shaping.ms) === JSON.stringify(shaping.hf)
          ? proxies.hf
          : await startProxy(hub.url, shaping.ms);
    } catch (err) {
      for (const p of new Set(Object.values(proxies))) await stopChild(p.child);
      await stopChild(hub.child);
      throw err;
    }
  }
  const urlFor = (face) => proxies[face]?.url ?? hub.url;
  return {
    url: urlFor("hf"),
    urlFor,
    direct: hub.url,
    pid: hub.child.pid,
    async stop({ remove = false } = {}) {
      let link;
      for (const proxy of new Set(Object.values(proxies))) {
        await stopChild(proxy.child);
        const counts = shaperCounts(proxy.stderr());
        if (!counts) continue;
        link ??= { down: 0, up: 0, connections: 0 };
        link.down += counts.down;
        link.up += counts.up;
        link.connections += counts.connections;
      }
      await stopChild(hub.child);
      if (remove) await rm(storeRoot, { recursive: true, force: true });
      return link;
    },
  };
}

/** Request counts by route (the hub's own admin calls left out). */
export async function requestCounts(hub) {
  // The stats route needs an admin: the bench user is one (see the users file in migrate-bench.mjs).
  const res = await fetch(`${hub.direct}/_hubferry/stats`, {
    headers: { authorization: `Bearer ${TOKENS.hf}` },
  });
  const { requests } = await res.json();
  delete requests.admin;
  return requests;
}

export function requestsBetween(before, after) {
  let n = 0;
  for (const [k, v] of Object.entries(after)) n += v - (before[k] ?? 0);
  return n;
}
