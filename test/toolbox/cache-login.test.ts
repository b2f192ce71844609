import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readdir, readFile, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventsOf, runCli } from "../helpers/cli.js";
import { randomName } from "../helpers/fixtures.js";
import { type HubPair, startHubPair, USERS } from "../helpers/local-hub.js";
import { runPython } from "../helpers/python.js";
import { seedHf } from "../helpers/seed.js";
import { safetensorsFile } from "../helpers/weights.js";

/** `cache ls/prune/clear` on caches written by real pulls; `login/whoami/logout` shared with the official clients. */
let pair: HubPair;
const tag = randomName("cl");
const repos = { a: `alice/${tag}-a`, b: `alice/${tag}-b`, slow: `alice/${tag}-slow` };

before(async () => {
  pair = await startHubPair("toolbox-cache");
  for (const [i, id] of [repos.a, repos.b, repos.slow].entries())
    await seedHf(
      pair.hf.url,
      USERS.alice.token,
      { type: "model", name: id },
      {
        "config.json": Buffer.from(`{"i": ${i}}`),
        "model.safetensors": safetensorsFile({ w: { dtype: "U8", shape: [(i + 1) * 50_000] } }),
      },
    );
});
after(async () => {
  await pair?.stop();
});

const hfHome = () => join(pair.work.path, "hf-home");
const msCache = () => join(pair.work.path, "ms-cache");
const env = (extra: Record<string, string | undefined> = {}) =>
  pair.env({ HF_HOME: hfHome(), MODELSCOPE_CACHE: msCache(), ...extra });

async function cli(args: string[], extra: Record<string, string | undefined> = {}, input?: string) {
  const run = await runCli(args, env(extra), { input });
  for (const t of [USERS.alice.token, USERS.alice.msToken, USERS.bob.token])
    assert.ok(!(run.stdout + run.stderr).includes(t), "a token leaked");
  return run;
}

function ok<T extends { code: number | null; stderr: string; stdout: string }>(run: T): T {
  assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}${run.stdout.slice(-800)}`);
  return run;
}

async function scanByOfficialClient() {
  const r = await runPython<{
    ok: boolean;
    repos: { repo_id: string }[];
    warnings: string[];
    message?: string;
  }>("hf", "hf_client.py", { op: "scan_cache" }, { HF_HOME: hfHome(), HF_HUB_OFFLINE: "1" });
  assert.equal(r.ok, true, r.message);
  return r;
}

describe("cache", () => {
  it("ls lists what pulls put in both caches, with sizes and refs", async () => {
    for (const id of [repos.a, repos.b]) ok(await cli(["pull", "model", id, "--json"]));
    ok(await cli(["migrate", `hf:${repos.a}`, "--to", "ms", "--yes", "--json"]));
    ok(await cli(["pull", "model", `ms:${repos.a}`, "--json"]));
    const ls = JSON.parse(ok(await cli(["cache", "ls", "--json"])).stdout) as {
      repo: string;
      bytes: number;
      refs: Record<string, string>;
    }[];
    assert.deepEqual(
      ls.map((r) => r.repo).sort(),
      [`hf:${repos.a}`, `hf:${repos.b}`, `ms:${repos.a}`].sort(),
    );
    const b = ls.find((r) => r.repo === `hf:${repos.b}`)!;
    assert.ok(b.bytes > 100_000);
    assert.match(b.refs.main!, /^[0-9a-f]{40}$/);
    const table = ok(await cli(["cache", "ls"])).stdout;
    assert.match(table, /3 repo\(s\)/);
  });

  it("prune removes the least recently used repos first, and the official scan stays clean", async () => {
    const ls = JSON.parse(ok(await cli(["cache", "ls", "--json"])).stdout) as {
      repo: string;
      path: string;
      bytes: number;
    }[];
    // Make hf:a the least recently used: its files were last read in 2020.
    const a = ls.find((r) => r.repo === `hf:${repos.a}`)!;
    const blobs = join(a.path, "blobs");
    for (const name of await readdir(blobs))
      await utimes(join(blobs, name), new Date("2020-01-01"), new Date("2020-01-01"));
    const keep = ls.filter((r) => r.repo !== `hf:${repos.a}`).reduce((n, r) => n + r.bytes, 0);
    const dry = JSON.parse(
      ok(await cli(["cache", "prune", "--max-size", String(keep), "--dry-run", "--json"])).stdout,
    );
    assert.deepEqual(
      dry.removed.map((r: { repo: string }) => r.repo),
      [`hf:${repos.a}`],
    );
    assert.ok(existsSync(a.path), "a dry run removes nothing");
    const res = JSON.parse(ok(await cli(["cache", "prune", "--max-size", String(keep), "--json"])).stdout);
    assert.deepEqual(
      res.removed.map((r: { repo: string }) => r.repo),
      [`hf:${repos.a}`],
    );
    assert.equal(existsSync(a.path), false);
    const scan = await scanByOfficialClient();
    assert.deepEqual(scan.warnings, []);
    assert.deepEqual(
      scan.repos.map((r) => r.repo_id),
      [repos.b],
    );
    const bad = await cli(["cache", "prune", "--max-size", "lots"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-size: "lots" is not a size/);
  });

  it("clear never touches a repo a running pull holds; the pull completes", async () => {
    // The weights' download is held back 5 s by the hub: the clear runs while the pull is under way.
    await pair.hf.fault({ route: "hf.object", kind: "slow", delayMs: 5000, times: 1 });
    let clearRun: Promise<{ stdout: string; code: number | null; stderr: string }> | undefined;
    const pull = runCli(["pull", "model", repos.slow, "--json"], env(), {
      onEvent: (e) => {
        if (e.event === "file_start" && e.path === "model.safetensors" && !clearRun)
          clearRun = cli(["cache", "clear", "--yes", "--json"]);
      },
    });
    const pulled = ok(await pull);
    const cleared = JSON.parse(ok((await clearRun)!).stdout);
    assert.ok(
      cleared.busy.some((r: { repo: string }) => r.repo === `hf:${repos.slow}`),
      "the pulled repo was kept",
    );
    assert.ok(cleared.removed.some((r: { repo: string }) => r.repo === `hf:${repos.b}`));
    assert.equal(eventsOf(pulled, "summary").length, 1);
    const scan = await scanByOfficialClient();
    assert.deepEqual(
      scan.repos.map((r) => r.repo_id),
      [repos.slow],
    );
    assert.deepEqual(scan.warnings, []);
  });

  it("clear ID removes one repo; an unknown one exits 4; clearing all needs --yes", async () => {
    const gone = await cli(["cache", "clear", `hf:alice/${tag}-none`]);
    assert.equal(gone.code, 4);
    const all = await cli(["cache", "clear"]);
    assert.equal(all.code, 2);
    assert.match(all.stderr, /pass --yes/);
    ok(await cli(["cache", "clear", `hf:${repos.slow}`]));
    assert.deepEqual((await scanByOfficialClient()).repos, []);
  });
});

describe("login, whoami, logout", () => {
  const home = () => join(pair.work.path, "login-home");
  const loginEnv = (extra: Record<string, string | undefined> = {}) => ({
    HF_TOKEN: undefined,
    MODELSCOPE_API_TOKEN: undefined,
    HF_HOME: join(home(), "hf"),
    HOME: home(),
    ...extra,
  });
  const py = (
    venv: string,
    script: string,
    args: Record<string, unknown>,
    extra: Record<string, string> = {},
  ) =>
    runPython<Record<string, unknown> & { ok: boolean; message?: string }>(venv, script, args, {
      HF_HOME: join(home(), "hf"),
      HOME: home(),
      HF_ENDPOINT: pair.hf.url,
      ...extra,
    });

  it("hf: hubferry's login is huggingface_hub's login, and the other way round", async () => {
    ok(await cli(["login", "--hub", "hf", "--token-stdin"], loginEnv(), `${USERS.alice.token}\n`));
    const token = await py("hf", "hf_client.py", { op: "get_token" });
    assert.equal(token.token, USERS.alice.token, "huggingface_hub reads hubferry's token file");
    assert.equal(await readFile(join(home(), "hf", "token"), "utf8"), USERS.alice.token);
    assert.equal((await stat(join(home(), "hf", "token"))).mode & 0o777, 0o600);
    assert.match(
      await readFile(join(home(), "hf", "stored_tokens"), "utf8"),
      /^\[alice-write\]\nhf_token = /,
    );
    const who = JSON.parse(ok(await cli(["whoami", "--hub", "hf", "--json"], loginEnv())).stdout);
    assert.equal(who[0].user, "alice");
    assert.match(who[0].source, /hf\/token$/);

    const pyLogin = await py("hf", "hf_client.py", { op: "login", token: USERS.bob.token });
    assert.equal(pyLogin.ok, true, pyLogin.message);
    const bob = JSON.parse(ok(await cli(["whoami", "--hub", "hf", "--json"], loginEnv())).stdout);
    assert.equal(bob[0].user, "bob", "hubferry sees huggingface_hub's login");

    ok(await cli(["logout", "--hub", "hf"], loginEnv()));
    assert.equal((await py("hf", "hf_client.py", { op: "get_token" })).token, null);
    const none = await cli(["whoami", "--hub", "hf"], loginEnv());
    assert.equal(none.code, 3);
  });

  it("ms: the saved session is read by both modelscope generations, and theirs by hubferry", async () => {
    ok(await cli(["login", "--hub", "ms", "--token-stdin"], loginEnv(), USERS.alice.msToken));
    for (const venv of ["ms137", "msnew"]) {
      const r = await py(venv, "ms_client.py", { op: "stored_token" });
      assert.equal(r.ok, true, `${venv}: ${r.message}`);
      assert.equal(r.token, USERS.alice.msToken, `${venv} reads hubferry's cookie jar`);
    }
    const who = JSON.parse(ok(await cli(["whoami", "--hub", "ms", "--json"], loginEnv())).stdout);
    assert.equal(who[0].user, "alice");
    ok(await cli(["logout", "--hub", "ms"], loginEnv()));
    assert.equal((await cli(["whoami", "--hub", "ms"], loginEnv())).code, 3);

    const pyLogin = await py("ms137", "ms_client.py", {
      op: "login",
      token: USERS.bob.msToken,
      endpoint: pair.ms.url,
    });
    assert.equal(pyLogin.ok, true, pyLogin.message);
    const bob = JSON.parse(ok(await cli(["whoami", "--hub", "ms", "--json"], loginEnv())).stdout);
    assert.equal(bob[0].user, "bob", "hubferry sees modelscope's login");
  });

  it("a refused token saves nothing; no token at all is a clear error", async () => {
    const h = join(pair.work.path, "login-bad");
    const bad = await cli(
      ["login", "--hub", "hf", "--token-stdin"],
      loginEnv({ HF_HOME: h }),
      "hf_not_a_real_token_000",
    );
    assert.equal(bad.code, 3);
    assert.equal(existsSync(join(h, "token")), false);
    const empty = await cli(["login", "--hub", "hf", "--token-stdin"], loginEnv({ HF_HOME: h }), "");
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no token given/);
  });
});
