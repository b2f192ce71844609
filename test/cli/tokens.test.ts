import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";
import { type HubPair, startHubPair, USERS } from "../helpers/local-hub.js";

describe("tokens: refused, read-only and malformed, in every command", () => {
  let pair: HubPair;
  before(async () => {
    pair = await startHubPair("tokens");
    const dir = join(pair.work.path, "model");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "config.json"), "{}\n");
    const run = await runCli(["push", "model", dir, "--repo", "alice/seed"], pair.env());
    assert.equal(run.code, 0, run.stderr);
    const copy = await runCli(["migrate", "hf:alice/seed", "ms:alice/seed", "--yes"], pair.env());
    assert.equal(copy.code, 0, copy.stderr);
  });
  after(async () => {
    await pair?.stop();
  });

  it("a refused HF token is said refused (exit 3), not 'not found', in migrate and info", async () => {
    for (const args of [
      ["migrate", "hf:alice/seed", "ms:alice/seed", "--yes"],
      ["migrate", "hf:alice/absent", "ms:alice/seed", "--yes"],
      ["info", "model", "alice/seed"],
    ]) {
      const run = await runCli(args, pair.env({ HF_TOKEN: "hf_invalid" }));
      assert.equal(run.code, 3, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, /refused the token/);
      assert.doesNotMatch(run.stderr, /not found/);
    }
  });

  it("a refused ModelScope token is said refused (exit 3) when the repo's type is looked up", async () => {
    const run = await runCli(
      ["migrate", "ms:alice/absent", "hf:alice/other", "--yes"],
      pair.env({ MODELSCOPE_API_TOKEN: "ms-invalid-token" }),
    );
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /ModelScope refused the token/);
  });

  it("auth check shows each token's role; a read-only destination token stops migrate at once", async () => {
    const check = await runCli(["auth", "check", "--json"], pair.env({ HF_TOKEN: USERS.reader.token }));
    const out = JSON.parse(check.stdout) as { tokens: { name: string; role?: string }[] };
    assert.equal(out.tokens.find((t) => t.name === "huggingface")?.role, "read");
    const human = await runCli(["auth", "check"], pair.env());
    assert.match(human.stdout, /ok \(alice, write token\)/);
    for (const args of [
      ["migrate", "ms:alice/seed", "hf:reader/copy", "--yes", "--json"],
      ["sync", "ms:alice/seed", "hf:reader/copy", "--json"],
      ["push", "model", join(pair.work.path, "model"), "--repo", "reader/copy", "--json"],
    ]) {
      const run = await runCli(args, pair.env({ HF_TOKEN: USERS.reader.token }));
      assert.equal(run.code, 3, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, /needs a write token/);
      assert.match(run.stderr, /set HF_TOKEN/);
      assert.ok(!run.events.some((e) => e.event === "file_start"));
    }
  });

  it("a malformed token is refused at once (exit 3) naming where it came from, never its value", async () => {
    const tokenFile = join(pair.work.path, "bad-token");
    await writeFile(tokenFile, "hf_secret\u0001garbage\n");
    const cases: [Record<string, string | undefined>, string[], RegExp][] = [
      [{ HF_TOKEN: "hf_abc\ndef" }, ["info", "model", "alice/seed"], /HF_TOKEN/],
      [{ HF_TOKEN: "hf_abc\u0001def" }, ["migrate", "hf:alice/seed", "ms:alice/x", "--yes"], /HF_TOKEN/],
      [{ HF_TOKEN: "hf_abcé" }, ["tree", "alice/seed"], /HF_TOKEN/],
      [{ HF_TOKEN: undefined, HF_TOKEN_PATH: tokenFile }, ["info", "model", "alice/seed"], /bad-token/],
      [
        { MODELSCOPE_API_TOKEN: "ms-abc\u0001def" },
        ["migrate", "hf:alice/seed", "ms:alice/x", "--yes"],
        /MODELSCOPE_API_TOKEN/,
      ],
      [{ HF_TOKEN: "hf_abc\u0001def" }, ["auth", "check"], /HF_TOKEN/],
      [{ HF_TOKEN: "hf_abc\u0001def" }, ["whoami", "--hub", "hf"], /HF_TOKEN/],
    ];
    for (const [extra, args, where] of cases) {
      const run = await runCli(args, pair.env(extra), { timeoutMs: 15_000 });
      const all = run.stdout + run.stderr;
      assert.equal(run.code, 3, `${args.join(" ")}: ${all}`);
      assert.match(all, /malformed/);
      assert.match(all, where);
      assert.ok(!/abc|def|secret|garbage/.test(all), `${args.join(" ")} leaked the token: ${all}`);
    }
  });
});
