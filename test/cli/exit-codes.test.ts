import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";
import { randomName } from "../helpers/fixtures.js";
import { type HubPair, startHubPair, USERS } from "../helpers/local-hub.js";
import { seedHf } from "../helpers/seed.js";

/**
 * README's table of exit codes, each through the real CLI: 0 done, 1 failure, 2 bad input,
 * 3 token missing or refused, 4 not found. (5, refused as unsafe, is tested by push's secret scan
 * and pull's pickle policy; 130, cancelled, by the Ctrl-C test of migrate.)
 */
let pair: HubPair;
const name = randomName("codes");

/** A port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

before(async () => {
  pair = await startHubPair("exit-codes");
  await seedHf(
    pair.hf.url,
    USERS.alice.token,
    { type: "model", name: `alice/${name}` },
    { "README.md": Buffer.from("# x\n") },
  );
});
after(() => pair?.stop());

describe("exit codes mean what README says", () => {
  it("0: done", async () => {
    const r = await runCli(["info", "model", `alice/${name}`], pair.env());
    assert.equal(r.code, 0, r.stderr);
  });
  it("1: the hub cannot be reached", async () => {
    const r = await runCli(
      ["info", "model", `alice/${name}`],
      pair.env({ HF_ENDPOINT: `http://127.0.0.1:${await closedPort()}` }),
      {
        timeoutMs: 120_000,
      },
    );
    assert.equal(r.code, 1, r.stderr);
  });
  it("2: bad input, from commander and from hubferry", async () => {
    for (const args of [
      ["migrate", "--bogus"],
      ["nope"],
      ["cache", "prune"],
      ["info", "thing", "a/b"],
      ["migrate", "not a repo", "--to", "ms"],
    ]) {
      const r = await runCli(args, pair.env());
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    }
  });
  it("3: a refused token, and no token where one is needed", async () => {
    const bad = await runCli(
      ["migrate", `hf:alice/${name}`, "--to", "ms", "--yes"],
      pair.env({ HF_TOKEN: "hf_invalid" }),
    );
    assert.equal(bad.code, 3, bad.stderr);
    const none = await runCli(
      ["migrate", `hf:alice/${name}`, "--to", "ms", "--yes"],
      pair.env({ MODELSCOPE_API_TOKEN: undefined }),
    );
    assert.equal(none.code, 3, none.stderr);
  });
  it("4: a repo that does not exist", async () => {
    const r = await runCli(["info", "model", `alice/${name}-missing`], pair.env());
    assert.equal(r.code, 4, r.stderr);
  });
});
