// One shaped link (bench/shaper.mjs) in front of a running hub: what gives each sandbox worker of
// the sandboxes bench its own capped network, as each Modal sandbox would have.
import { join } from "node:path";
import { stopChild } from "./children.mjs";
import { startListening } from "./hubs.mjs";

const root = new URL("../..", import.meta.url).pathname;

/**
 * A proxy to `targetUrl` capped at `down` (hub -> client) and `up` (client -> hub), each optional.
 * `stop()` returns the bytes that crossed it ({ down, up }), to check that the worker used it.
 */
export async function startLink(targetUrl, { down, up } = {}) {
  const flags = [];
  if (down) flags.push("--down", down);
  if (up) flags.push("--up", up);
  const proxy = await startListening(
    [join(root, "bench/shaper.mjs"), "--target", new URL(targetUrl).host, "--exit-with-stdin", ...flags],
    "shaper",
  );
  return {
    url: proxy.url,
    pid: proxy.child.pid,
    async stop() {
      await stopChild(proxy.child);
      const m = /"event":"stopped","down":(\d+),"up":(\d+)/.exec(proxy.stderr());
      return m ? { down: Number(m[1]), up: Number(m[2]) } : undefined;
    },
  };
}
