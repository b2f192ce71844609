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
 * A hub over `storeRoot`. `url` is what clients use (the proxy when shaping), `direct` the hub
 * itself (the benchmark's own admin calls, which must not count against the shaped link).
 * `stop({ remove })` ends the hub (and its proxy) and, with remove, deletes the store; it returns
 * the bytes that crossed the proxy ({ down, up }), undefined when not shaped.
 */
export async function startHub(storeRoot, usersFile, shaping) {
  const hub = await startListening(
    [
      join(root, "bin/hubferry.js"),
      "serve",
      "--root",
      storeRoot,
      "--port",
      "0",
      "--users",
      usersFile,
      "--json",
    ],
    `hub ${storeRoot}`,
  );
  let proxy;
  if (shaping) {
    const flags = [];
    if (shaping.down) flags.push("--down", shaping.down);
    if (shaping.up) flags.push("--up", shaping.up);
    if (shaping.latency) flags.push("--latency", shaping.latency);
    try {
      proxy = await startListening(
        [join(root, "bench/shaper.mjs"), "--target", new URL(hub.url).host, "--exit-with-stdin", ...flags],
        "shaper",
      );
    } catch (err) {
      await stopChild(hub.child);
      throw err;
    }
  }
  return {
    url: proxy?.url ?? hub.url,
    direct: hub.url,
    pid: hub.child.pid,
    async stop({ remove = false } = {}) {
      let link;
      if (proxy) {
        await stopChild(proxy.child);
        const m = /"event":"stopped","down":(\d+),"up":(\d+)/.exec(proxy.stderr());
        link = m ? { down: Number(m[1]), up: Number(m[2]) } : undefined;
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
