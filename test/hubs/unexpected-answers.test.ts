import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { HubferryError } from "../../src/core/errors.js";
import { parseRepoRef } from "../../src/core/repo-ref.js";
import { HfHub } from "../../src/hubs/hf/hf-hub.js";
import { MsHub } from "../../src/hubs/ms/ms-hub.js";

/**
 * An endpoint that is not the hub it claims to be (a proxy's page, an old API version): every
 * answer of the wrong shape is a PROTOCOL error naming the call, never a crash or a wrong result.
 * The "hub" here is a plain HTTP server on 127.0.0.1 answering 200 with JSON of the wrong shape.
 */
const answers: Record<string, unknown> = {
  "/api/whoami-v2": { user: "alice" },
  "/api/models/alice/m": { id: 42 },
  "/api/models/alice/m/tree/0123456789abcdef0123456789abcdef01234567": [{ type: "file" }],
  "/api/models": [{ name: "alice/m" }],
  "/openapi/v1/users/me": { data: {} },
  "/api/v1/login": { Data: { Name: "alice" } },
  "/api/v1/models/alice/m": { Data: "nope" },
};
let server: Server;
let url: string;
before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    req.resume();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(answers[path] ?? { unexpected: true }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function protocolError(p: Promise<unknown>, call: RegExp): Promise<void> {
  const err = await p.then(
    () => assert.fail("expected a PROTOCOL error"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof HubferryError, String(err));
  assert.equal(err.code, "PROTOCOL");
  assert.match(err.message, call);
  assert.match(err.message, /unexpected response \(.+: .+\)/);
  assert.match(err.hint ?? "", /report it/);
  assert.ok(!err.message.includes("hf_x_token_9999") && !err.message.includes("ms-x-token-9999"));
}

describe("answers of the wrong shape", () => {
  const hf = () => new HfHub(url, "hf_x_token_9999");
  const ms = () => new MsHub(url, "ms-x-token-9999");
  const model = parseRepoRef("hf:alice/m");

  it("HfHub: whoami, repo info, tree and repo listing each name their call", async () => {
    await protocolError(hf().whoami(), /^GET \/api\/whoami-v2: unexpected response \(name: /);
    await protocolError(hf().repoInfo(model), /^GET \/api\/models\/\{id\}: /);
    await protocolError(
      hf().listFiles(model, "0123456789abcdef0123456789abcdef01234567"),
      /^GET \/api\/models\/\{id\}\/tree: unexpected response \(0\.path: /,
    );
    await protocolError(hf().listRepos("alice", "model"), /^GET \/api\/models\?author=: /);
  });

  it("MsHub: whoami, login and repo info each name their call", async () => {
    await protocolError(ms().whoami(), /^GET \/openapi\/v1\/users\/me: /);
    await protocolError(ms().sessionLogin(), /^POST \/api\/v1\/login: /);
    await protocolError(ms().repoInfo(parseRepoRef("ms:alice/m")), /^GET \/api\/v1\/models\/\{id\}: /);
  });
});
