import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

const root = new URL("../..", import.meta.url).pathname;
const BODY = Buffer.alloc(32 * 1024 * 1024, 7);

/**
 * bench/shaper.mjs against clients that hang up mid-response, as aria2c does when its segment is
 * done: the proxy must stay up for the next connection (it used to die of an EPIPE while it
 * waited for the gone client's socket to drain).
 */
describe("shaper: clients that close mid-response", () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-length": BODY.length });
    res.end(BODY);
  });
  let shaper: ChildProcess;
  let port = 0;
  let stderr = "";

  before(async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    shaper = spawn(process.execPath, [join(root, "bench/shaper.mjs"), "--target", target], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    shaper.stderr?.on("data", (d) => {
      stderr += d;
    });
    const [line] = (await once(createInterface({ input: shaper.stdout! }), "line")) as [string];
    port = Number(new URL(JSON.parse(line).url).port);
  });

  after(async () => {
    if (shaper.exitCode === null) {
      shaper.kill("SIGTERM");
      await once(shaper, "exit");
    }
    server.close();
  });

  it("keeps serving after clients that stop reading and then close", async () => {
    for (let i = 0; i < 6; i++) {
      const sock = connect({ host: "127.0.0.1", port });
      await once(sock, "connect");
      sock.write(`GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
      // Read a little, then stop reading so that the proxy's writes back up, then hang up.
      await once(sock, "data");
      sock.pause();
      await sleep(150);
      sock.destroy();
      await sleep(50);
    }
    await sleep(200);
    assert.equal(shaper.exitCode, null, `the shaper exited: ${stderr}`);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal((await res.arrayBuffer()).byteLength, BODY.length);
  });
});
