#!/usr/bin/env node
// A TCP proxy that shapes a link: bandwidth per direction (one token bucket per direction, shared
// by all connections, as one network link would be), a cap per TCP connection (a bucket per
// direction of each connection, inside the shared one: one stream to a CDN or one PUT gets at most
// that much, however wide the link) and added latency. Bytes pass unchanged, so the HTTP Host
// header names the proxy and the hub behind it builds every absolute URL (redirects, signed upload
// hrefs) with the proxy's address: all traffic stays on the shaped path.
//
//   node bench/shaper.mjs --target 127.0.0.1:PORT [--down 195MB/s] [--up 42MB/s] [--latency 20ms]
//                         [--per-connection 50MB/s]
//
// --down: target -> client (what the hub sends: downloads); --up: client -> target (uploads).
// --per-connection: the most one connection moves, each direction (it still shares --down/--up).
// --latency: added round-trip time. Connecting costs one round trip; each direction then delays
// every byte by half of it (throughput is kept: the delay line holds rate x delay bytes).
// Prints one JSON line {"event":"listening","url":...} when ready; SIGTERM stops it, and it then
// prints {"event":"stopped","down":BYTES,"up":BYTES,"connections":N} on stderr (what crossed it,
// each way, and over how many connections). With --exit-with-stdin it also stops when its stdin
// closes (the process that started it is gone).
import { once } from "node:events";
import { connect, createServer } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Link, passThrough } from "./lib/link-bucket.mjs";
import { parseDuration, parseRate } from "./lib/units.mjs";

const args = process.argv.slice(2);
const flag = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const target = flag("--target");
if (!target || !/^[\w.-]+:\d+$/.test(target)) {
  process.stderr.write(
    "usage: shaper.mjs --target HOST:PORT [--down RATE] [--up RATE] [--latency MS] [--per-connection RATE]\n",
  );
  process.exit(2);
}
const [targetHost, targetPort] = [target.slice(0, target.lastIndexOf(":")), Number(target.split(":").pop())];
const down = flag("--down") ? parseRate(flag("--down")) : Infinity;
const up = flag("--up") ? parseRate(flag("--up")) : Infinity;
const latencyMs = flag("--latency") ? parseDuration(flag("--latency")) : 0;
const perConnection = flag("--per-connection") ? parseRate(flag("--per-connection")) : Infinity;

const links = { down: new Link(down), up: new Link(up) };
let connections = 0;

/**
 * Moves bytes from `from` to `to` through the connection's own bucket `own` and the shared `link`,
 * each chunk `delayMs` after it arrived. The end of `from` is passed on once the queue has drained
 * (a closing server's last bytes still arrive).
 */
function shapedPipe(from, to, own, link, delayMs, onDestinationGone) {
  const queue = [];
  let queued = 0;
  let pumping = false;
  let ended = false;
  let dead = false;
  // Enough room for what is in flight on a delayed link, so the delay does not cut the rate.
  const rate = Math.min(link.rate, own.rate);
  const inFlight = Number.isFinite(rate) ? (rate * delayMs) / 1000 : 0;
  const high = Math.max(1 << 20, 2 * inFlight);
  to.on("close", () => {
    dead = true;
    queue.length = 0;
    if (from.isPaused()) from.resume();
    onDestinationGone();
  });
  from.on("data", (chunk) => {
    if (dead) return;
    queue.push({ chunk, at: performance.now() + delayMs });
    queued += chunk.length;
    if (queued > high) from.pause();
    void pump();
  });
  from.on("end", () => {
    ended = true;
    void pump();
  });
  async function pump() {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length > 0 && !dead) {
        const item = queue[0];
        const wait = item.at - performance.now();
        if (wait >= 1) await sleep(wait);
        const piece = item.chunk.subarray(0, Math.min(link.slice, own.slice));
        await passThrough(own, link, piece.length, sleep);
        if (dead) break;
        const ok = to.write(piece);
        item.chunk = item.chunk.subarray(piece.length);
        queued -= piece.length;
        if (item.chunk.length === 0) queue.shift();
        if (queued <= high / 2 && from.isPaused()) from.resume();
        if (!ok && !to.destroyed) await Promise.race([once(to, "drain"), once(to, "close")]);
      }
      if (ended && queue.length === 0 && !dead) to.end();
    } catch {
      // `once` rejects when the destination errs while we wait for it to drain (EPIPE: a client
      // that closed a connection mid-response, as aria2c does when its segment is done): that
      // destination is gone, not the proxy.
      dead = true;
      queue.length = 0;
      to.destroy();
    } finally {
      pumping = false;
    }
  }
}

const sockets = new Set();
const server = createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
  client.pause();
  sockets.add(client);
  client.on("close", () => sockets.delete(client));
  client.on("error", () => client.destroy());
  const open = async () => {
    if (latencyMs > 0) await sleep(latencyMs);
    if (client.destroyed) return;
    const upstream = connect({ host: targetHost, port: targetPort, noDelay: true, allowHalfOpen: true });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => {
      upstream.destroy();
      client.destroy();
    });
    client.on("error", () => upstream.destroy());
    await once(upstream, "connect");
    // The client gone: nothing the hub still sends can arrive, stop it. The hub gone: the client
    // still gets what is queued towards it, then the end.
    connections++;
    shapedPipe(client, upstream, new Link(perConnection), links.up, latencyMs / 2, () => {});
    shapedPipe(upstream, client, new Link(perConnection), links.down, latencyMs / 2, () =>
      upstream.destroy(),
    );
    client.resume();
  };
  open().catch(() => client.destroy());
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ event: "listening", url: `http://127.0.0.1:${port}` })}\n`);
});
const stop = () => {
  for (const s of sockets) s.destroy();
  server.close();
  process.stderr.write(
    `${JSON.stringify({ event: "stopped", down: links.down.bytes, up: links.up.bytes, connections })}\n`,
  );
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
if (args.includes("--exit-with-stdin")) {
  // The benchmark gone (stdin closed): go too.
  process.stdin.on("end", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
}
