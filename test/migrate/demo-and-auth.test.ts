import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventsOf, runCli } from "../helpers/cli.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { tempDir } from "../helpers/tmp.js";

describe("hubferry demo", () => {
  it("migrates a sample repo between two embedded hubs and verifies it", async () => {
    const run = await runCli(["demo", "--json", "--weights", "3"], { HOME: "/nonexistent" });
    assert.equal(run.code, 0, run.stderr);
    const [plan] = eventsOf(run, "plan") as { copy: { path: string }[] }[];
    assert.ok(plan!.copy.some((f) => f.path === "model.safetensors"));
    assert.equal(eventsOf(run, "verify")[0]!.ok, true);
    const [summary] = eventsOf(run, "summary") as { files: number; bytes: number }[];
    assert.equal(summary!.files, plan!.copy.length);
    assert.ok(summary!.bytes > 3 * 1024 * 1024);
  });
});

describe("hubferry auth check", () => {
  let hf: TestHub;
  let ms: TestHub;
  let dir: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    [hf, ms] = await Promise.all([startTestHub(), startTestHub()]);
    dir = await tempDir("auth");
  });
  after(async () => {
    await Promise.all([hf?.stop(), ms?.stop()]);
    await dir?.cleanup();
  });

  const base = () => ({
    HOME: dir.path,
    HF_HOME: join(dir.path, "hf"),
    HF_ENDPOINT: hf.url,
    MODELSCOPE_ENDPOINT: ms.url,
  });

  it("reports each token as accepted by its hub, with the user, and never the token", async () => {
    const run = await runCli(["auth", "check", "--json"], {
      ...base(),
      HF_TOKEN: USERS.alice.token,
      MODELSCOPE_API_TOKEN: USERS.bob.msToken,
    });
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as {
      ok: boolean;
      tokens: { name: string; valid?: boolean; user?: string; source?: string }[];
    };
    assert.equal(out.ok, true);
    assert.deepEqual(
      out.tokens.filter((t) => t.name !== "modal").map((t) => [t.name, t.valid, t.user, t.source]),
      [
        ["huggingface", true, "alice", "HF_TOKEN"],
        ["modelscope", true, "bob", "MODELSCOPE_API_TOKEN"],
      ],
    );
    assert.ok(!run.stdout.includes(USERS.alice.token) && !run.stdout.includes(USERS.bob.msToken));
  });

  it("finds the token file the official client writes, and MODELSCOPE_TOKEN as the seed names it", async () => {
    await mkdir(join(dir.path, "hf"), { recursive: true });
    await writeFile(join(dir.path, "hf", "token"), `${USERS.bob.token}\n`);
    const run = await runCli(["auth", "check", "--json"], {
      ...base(),
      MODELSCOPE_TOKEN: USERS.alice.msToken,
    });
    const out = JSON.parse(run.stdout) as { tokens: { name: string; user?: string; source?: string }[] };
    assert.equal(out.tokens[0]!.user, "bob");
    assert.equal(out.tokens[0]!.source, join(dir.path, "hf", "token"));
    assert.equal(out.tokens[1]!.source, "MODELSCOPE_TOKEN");
  });

  it("a missing or refused token: exit 3, and where to get one", async () => {
    const run = await runCli(["auth", "check"], {
      ...base(),
      HF_TOKEN: "hf_refused_token_value",
      MODAL_TOKEN_ID: "ak-short",
    });
    assert.equal(run.code, 3);
    assert.match(run.stdout, /huggingface\s+REFUSED/);
    assert.match(run.stdout, /modelscope\s+missing/);
    assert.match(run.stdout, /get one: https:\/\/modelscope\.cn\/my\/myaccesstoken/);
    assert.match(run.stdout, /MODAL_TOKEN_ID and MODAL_TOKEN_SECRET must both be set/);
    assert.ok(
      !run.stdout.includes("hf_refused_token_value") && !run.stderr.includes("hf_refused_token_value"),
    );
  });
});
