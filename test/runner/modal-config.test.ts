import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { modalCredentials, parseTomlTables } from "../../src/runner/modal-config.js";
import { modalConfigured } from "../../src/runner/modal-provider.js";
import { eventsOf, runCli } from "../helpers/cli.js";
import { randomName } from "../helpers/fixtures.js";
import { type HubPair, ORG, startHubPair, USERS } from "../helpers/local-hub.js";
import { tempDir } from "../helpers/tmp.js";

const ID = "ak-0123456789abcdef";
const SECRET = "as-0123456789abcdef";

describe("Modal credentials are found where the SDK finds them", () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    dir = await tempDir("modal-config");
  });
  after(async () => {
    await dir?.cleanup();
  });
  const withFile = async (text: string) => {
    const path = join(dir.path, `${randomName("cfg")}.toml`);
    await writeFile(path, text);
    return { MODAL_CONFIG_PATH: path } as NodeJS.ProcessEnv;
  };

  it("a config file with no active profile is not a configuration (the SDK ignores [default] without active)", async () => {
    const env = await withFile(`[default]\ntoken_id = "${ID}"\ntoken_secret = "${SECRET}"\n`);
    assert.equal(modalCredentials(env).present, false);
    assert.equal(await modalConfigured(env), false);
  });

  it("an active profile without a token, or with half of one, is not either", async () => {
    assert.equal(await modalConfigured(await withFile("[me]\nactive = true\n")), false);
    assert.equal(await modalConfigured(await withFile(`[me]\nactive = true\ntoken_id = "${ID}"\n`)), false);
    assert.equal(await modalConfigured(await withFile("not toml at all = = =\n")), false);
  });

  it("the active profile's token pair, MODAL_PROFILE's, or the env's, is", async () => {
    const file = `[a]\ntoken_id = "ak-aaaaaaaaaaaa"\ntoken_secret = "as-aaaaaaaaaaaa"\n\n["b"]\nactive = true # the one\ntoken_id = '${ID}'\ntoken_secret = "${SECRET}"\n`;
    const env = await withFile(file);
    const found = modalCredentials(env);
    assert.equal(found.present, true);
    assert.equal(found.tokenId, ID);
    assert.match(found.source ?? "", /profile "b"/);
    assert.equal(modalCredentials({ ...env, MODAL_PROFILE: "a" }).tokenId, "ak-aaaaaaaaaaaa");
    const fromEnv = modalCredentials({
      MODAL_CONFIG_PATH: join(dir.path, "none.toml"),
      MODAL_TOKEN_ID: ID,
      MODAL_TOKEN_SECRET: SECRET,
    });
    assert.deepEqual([fromEnv.present, fromEnv.source], [true, "MODAL_TOKEN_ID/MODAL_TOKEN_SECRET"]);
    assert.deepEqual(parseTomlTables('[x]\nk = "a\\"b"\n'), { x: { k: 'a"b' } });
  });

  describe("the default runner", () => {
    let pair: HubPair;
    const name = randomName("cfgrun");
    before(async () => {
      pair = await startHubPair("modal-config-run");
      const auth = { authorization: `Bearer ${USERS.alice.token}`, "content-type": "application/json" };
      await fetch(`${pair.hf.url}/api/repos/create`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ name, organization: ORG }),
      });
    });
    after(async () => {
      await pair?.stop();
    });

    it("stays local when ~/.modal.toml exists but has no active profile (it picked Modal and failed)", async () => {
      await mkdir(pair.work.path, { recursive: true });
      await writeFile(
        join(pair.work.path, ".modal.toml"),
        `[default]\ntoken_id = "${ID}"\ntoken_secret = "${SECRET}"\n`,
      );
      const run = await runCli(
        ["migrate", `hf:${ORG}/${name}`, `ms:${ORG}/${name}`, "--dry-run", "--json"],
        // Were Modal picked anyway, it could reach nothing but a closed loopback port.
        { ...pair.env(), MODAL_SERVER_URL: "http://127.0.0.1:1" },
      );
      assert.equal(run.code, 0, run.stderr);
      const [plan] = eventsOf(run, "plan") as { notes: string[] }[];
      assert.ok(
        plan!.notes.some((n) => /runs locally/.test(n)),
        JSON.stringify(plan),
      );
    });

    it("--runner modal with no usable credentials: exit 3 before anything runs, naming where they go", async () => {
      const run = await runCli(
        ["migrate", `hf:${ORG}/${name}`, `ms:${ORG}/${name}`, "--runner", "modal", "--yes"],
        { ...pair.env(), MODAL_SERVER_URL: "http://127.0.0.1:1" },
      );
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /active profile of ~\/\.modal\.toml/);
      assert.ok(!run.stderr.includes(SECRET));
    });
  });
});
