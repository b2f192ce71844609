import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { randomName } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { runPython } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * Fidelity to the real hub where the official huggingface_hub looks: each case calls one HfApi
 * method through test/interop/python/hf_fidelity.py, over real HTTP to `hubferry serve`.
 */
let hub: TestHub;
let work: { path: string; cleanup: () => Promise<void> };

type Result = {
  ok: boolean;
  value?: unknown;
  error?: string;
  mro?: string[];
  status?: number;
  message?: string;
  server_message?: string;
  trace?: string;
};

function env(token: string | null): Record<string, string> {
  const e: Record<string, string> = {
    HF_ENDPOINT: hub.url,
    HF_HOME: join(work.path, "home"),
    HF_HUB_DISABLE_XET: "1",
    HF_HUB_DISABLE_UPDATE_CHECK: "1",
    HF_HUB_DISABLE_TELEMETRY: "1",
    HF_HUB_DISABLE_PROGRESS_BARS: "1",
  };
  if (token) e.HF_TOKEN = token;
  return e;
}

async function call(
  name: string,
  kwargs: Record<string, unknown>,
  token: string | null = USERS.alice.token,
): Promise<Result> {
  return runPython<Result>("hf", "hf_fidelity.py", { call: name, kwargs }, env(token));
}

async function value(
  name: string,
  kwargs: Record<string, unknown>,
  token: string | null = USERS.alice.token,
): Promise<unknown> {
  const r = await call(name, kwargs, token);
  assert.equal(r.ok, true, `${name} failed: ${r.error}: ${r.message}\n${r.trace}`);
  return r.value;
}

async function api(
  method: string,
  path: string,
  body?: unknown,
  token: string | null = USERS.alice.token,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${hub.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: "manual",
  });
}

async function newRepo(prefix: string, extra: Record<string, unknown> = {}): Promise<string> {
  const name = randomName(prefix);
  const res = await api("POST", "/api/repos/create", { name, ...extra });
  assert.equal(res.status, 200, await res.text());
  return `alice/${name}`;
}

before(async () => {
  hub = await startTestHub();
  work = await tempDir("hffid");
});

after(async () => {
  await hub?.stop();
  await work?.cleanup();
});

describe("missing repos answer as the real hub", () => {
  for (const [who, token] of [
    ["anonymous", null],
    ["authenticated", USERS.alice.token],
  ] as const) {
    it(`repo_exists / file_exists / revision_exists are False for ids without a namespace (${who})`, async () => {
      assert.equal(await value("repo_exists", { repo_id: "repo-that-does-not-exist" }, token), false);
      assert.equal(
        await value("file_exists", { repo_id: "repo-that-does-not-exist", filename: "config.json" }, token),
        false,
      );
      assert.equal(
        await value("revision_exists", { repo_id: "repo-that-does-not-exist", revision: "main" }, token),
        false,
      );
      assert.equal(await value("repo_exists", { repo_id: "alice/nope-nope" }, token), false);
    });
  }

  it("anonymous gets 401, authenticated 404, both RepoNotFound", async () => {
    for (const path of ["/api/models/repo-that-does-not-exist", "/api/models/alice/nope-nope"]) {
      const anon = await api("GET", path, undefined, null);
      assert.equal(anon.status, 401);
      assert.equal(anon.headers.get("x-error-code"), "RepoNotFound");
      assert.equal(anon.headers.get("x-error-message"), "Invalid username or password.");
      const authed = await api("GET", path);
      assert.equal(authed.status, 404);
      assert.equal(authed.headers.get("x-error-code"), "RepoNotFound");
    }
  });

  it("repo ids resolve case-insensitively", async () => {
    const id = await newRepo("CaseRepo");
    const info = (await value("repo_info", { repo_id: id.toUpperCase() })) as { id: string };
    assert.equal(info.id, id);
    const dup = await api("POST", "/api/repos/create", { name: id.split("/")[1]!.toLowerCase() });
    assert.equal(dup.status, 409);
  });
});
