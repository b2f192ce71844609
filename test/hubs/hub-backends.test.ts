import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HubferryError } from "../../src/core/errors.js";
import { HttpStatusError } from "../../src/core/http/http-client.js";
import type { RepoRef } from "../../src/core/repo-ref.js";
import type { RepoType } from "../../src/core/repo-type.js";
import { HfHub } from "../../src/hubs/hf/hf-hub.js";
import { localFolderSource } from "../../src/hubs/local/local-folder.js";
import { MsHub } from "../../src/hubs/ms/ms-hub.js";
import { executePlan } from "../../src/transfer/execute.js";
import { planTransfer } from "../../src/transfer/plan.js";
import type { TransferDestination } from "../../src/transfer/types.js";
import { pseudoRandom, randomName } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The two backends a library user holds (HfHub, MsHub) against the local hub over real HTTP:
 * what they return, and the error each hub answer turns into (code, message, hint). Faults come
 * from the hub's fault injection; `retryAfter: 0` keeps retries instant.
 */
let hub: TestHub;
let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  hub = await startTestHub();
  work = await tempDir("backends");
});
after(async () => {
  await hub?.stop();
  await work?.cleanup();
});

const ref = (hubName: "hf" | "ms", type: RepoType, id: string): RepoRef => ({
  hub: hubName,
  type,
  id,
  typeKnown: true,
});

/** Uploads a folder's files through the backend's own destination (the engine, as migrate does). */
async function upload(dest: TransferDestination, files: Record<string, Buffer>): Promise<void> {
  const dir = join(work.path, randomName("seed"));
  for (const [p, content] of Object.entries(files)) {
    await mkdir(join(dir, p, ".."), { recursive: true });
    await writeFile(join(dir, p), content);
  }
  const src = await localFolderSource(dir);
  const plan = await planTransfer(src, dest);
  await executePlan(plan, src, dest, {
    signal: new AbortController().signal,
    events: () => {},
    commitMessage: () => "seed",
  });
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

/** Asserts a HubferryError with this code, and that no token leaks into what a user sees. */
async function rejectsWith(p: Promise<unknown>, code: string, message: RegExp): Promise<HubferryError> {
  const err = await p.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof HubferryError, String(err));
  assert.equal(err.code, code, err.message);
  assert.match(err.message, message);
  for (const t of [
    USERS.alice.token,
    USERS.alice.msToken,
    USERS.bob.token,
    USERS.bob.msToken,
    "hf_bogus_0000",
  ])
    assert.ok(!`${err.message} ${err.hint ?? ""}`.includes(t), "a token leaked into the error");
  return err;
}

describe("HfHub against the local hub", () => {
  const alice = () => new HfHub(hub.url, USERS.alice.token);
  const model = `alice/${randomName("hfm")}`;
  const dataset = `acme/${randomName("hfd")}`;
  const secret = `bob/${randomName("hfs")}`;
  const card = "---\nlicense: mit\n---\n# a model\n";
  const weights = pseudoRandom(70_000, 11);

  before(async () => {
    const a = alice();
    assert.deepEqual(await a.createRepo(ref("hf", "model", model), { private: false }), { created: true });
    await upload(a.destination(ref("hf", "model", model)), {
      "README.md": Buffer.from(card),
      "w/model.safetensors": weights,
    });
    await a.createRepo(ref("hf", "dataset", dataset), { private: false });
    await new HfHub(hub.url, USERS.bob.token).createRepo(ref("hf", "model", secret), { private: true });
  });

  it("whoami: name, orgs, token name and whether it may write; a read token says it cannot", async () => {
    assert.deepEqual(await alice().whoami(), {
      name: "alice",
      orgs: ["acme"],
      canWrite: true,
      role: "write",
      tokenName: "alice-write",
    });
    const reader = await new HfHub(hub.url, USERS.reader.token).whoami();
    assert.equal(reader.name, "reader");
    assert.equal(reader.canWrite, false);
  });

  it("whoami without a token is AUTH_MISSING; with a wrong one AUTH_INVALID, the token never shown", async () => {
    const missing = await rejectsWith(
      new HfHub(hub.url, undefined).whoami(),
      "AUTH_MISSING",
      /no Hugging Face token/,
    );
    assert.match(missing.hint ?? "", /HF_TOKEN/);
    await rejectsWith(new HfHub(hub.url, "hf_bogus_0000").whoami(), "AUTH_INVALID", /HTTP 401/);
  });

  it("whoami on a hub that keeps failing with 503 gives up after its retries with a SERVER error", async () => {
    await hub.fault({ route: "hf.whoami", kind: "status", status: 503, retryAfter: 0, times: 50 });
    try {
      const err = await rejectsWith(alice().whoami(), "SERVER", /./);
      assert.ok(err instanceof HttpStatusError);
      assert.equal(err.status, 503);
    } finally {
      await hub.clearFaults();
    }
  });

  it("repoInfo: the head commit, license from the card, visibility; a 429 is waited out", async () => {
    await hub.fault({ route: "hf.info", kind: "status", status: 429, retryAfter: 0, times: 1 });
    const info = await alice().repoInfo(ref("hf", "model", model));
    assert.equal(info.id, model);
    assert.match(info.sha, /^[0-9a-f]{40}$/);
    assert.equal(info.revision, "main");
    assert.equal(info.private, false);
    assert.equal(info.license, "mit");
    assert.equal(info.gated, false);
    const byRevision = await alice().repoInfo(ref("hf", "model", model), info.sha);
    assert.equal(byRevision.sha, info.sha);
    assert.equal(byRevision.revision, info.sha);
  });

  it("repoInfo: unknown repo, someone else's private repo, unknown revision: each its own error", async () => {
    await rejectsWith(
      alice().repoInfo(ref("hf", "model", `alice/${randomName("none")}`)),
      "REPO_NOT_FOUND",
      /^hf:alice\/.* was not found/,
    );
    // A private repo is invisible, exactly like a missing one (no way to probe names).
    await rejectsWith(alice().repoInfo(ref("hf", "model", secret)), "REPO_NOT_FOUND", /was not found/);
    assert.equal(
      (await new HfHub(hub.url, USERS.bob.token).repoInfo(ref("hf", "model", secret))).private,
      true,
    );
    const err = await rejectsWith(
      alice().repoInfo(ref("hf", "model", model), "no-such-branch"),
      "REVISION_NOT_FOUND",
      /has no revision "no-such-branch"/,
    );
    assert.match(err.hint ?? "", /--revision/);
    await rejectsWith(
      alice()
        .repoInfo(ref("hf", "dataset", dataset))
        .then(() => alice().repoInfo(ref("hf", "dataset", model))),
      "REPO_NOT_FOUND",
      /^hf:datasets\//,
    );
  });

  it("detectType finds a dataset given without a type; a missing id is REPO_NOT_FOUND naming all three types", async () => {
    assert.equal(await alice().detectType(ref("hf", "model", dataset)), "dataset");
    assert.equal(await alice().detectType(ref("hf", "dataset", model)), "model");
    await rejectsWith(
      alice().detectType(ref("hf", "model", `acme/${randomName("none")}`)),
      "REPO_NOT_FOUND",
      /not found as a model, dataset or space/,
    );
  });

  it("listRepos: the owner's repos of that type, sorted, no one else's", async () => {
    const second = `alice/${randomName("hfm")}`;
    await alice().createRepo(ref("hf", "model", second), { private: false });
    const ids = await alice().listRepos("alice", "model");
    assert.ok(ids.includes(model) && ids.includes(second), ids.join());
    assert.deepEqual(ids, [...ids].sort());
    assert.ok(ids.every((id) => id.startsWith("alice/")));
    assert.deepEqual(await alice().listRepos("acme", "dataset"), [dataset]);
  });

  it("source: lists files with their hashes and reads any byte range exactly", async () => {
    const src = await alice().source(ref("hf", "model", model));
    assert.match(src.label, new RegExp(`^hf:${model}@[0-9a-f]{8}$`));
    const files = await src.list();
    const w = files.find((f) => f.path === "w/model.safetensors");
    assert.ok(w, JSON.stringify(files));
    assert.equal(w.size, weights.length);
    const readme = files.find((f) => f.path === "README.md");
    assert.equal(readme?.size, card.length);
    assert.equal(
      (await readAll(await src.read("w/model.safetensors", 1000, 1999))).toString("hex"),
      weights.subarray(1000, 2000).toString("hex"),
    );
    assert.equal((await readAll(await src.read("README.md", 0, card.length - 1))).toString(), card);
  });

  it("createRepo: an existing repo is not an error (created: false); another user's namespace is FORBIDDEN", async () => {
    assert.deepEqual(await alice().createRepo(ref("hf", "model", model), { private: false }), {
      created: false,
    });
    const space = `alice/${randomName("app")}`;
    assert.deepEqual(await alice().createRepo(ref("hf", "space", space), { private: true }), {
      created: true,
    });
    const info = await alice().repoInfo(ref("hf", "space", space));
    assert.equal(info.private, true);
    assert.equal(info.sdk, "static");
    await rejectsWith(
      alice().createRepo(ref("hf", "model", `bob/${randomName("x")}`), { private: false }),
      "FORBIDDEN",
      /does not let this token create hf:bob\//,
    );
  });

  it("createRepo on a hub answering 500 surfaces the server's failure as it is (not retried: it is a POST)", async () => {
    await hub.fault({ route: "hf.repo-create", kind: "status", status: 500, times: 1 });
    try {
      const err = await rejectsWith(
        alice().createRepo(ref("hf", "model", `alice/${randomName("x")}`), { private: false }),
        "SERVER",
        /./,
      );
      assert.ok(err instanceof HttpStatusError);
      assert.equal(err.status, 500);
    } finally {
      await hub.clearFaults();
    }
  });

  it("a gated repo: its info is public and says gated; reading a file without access is refused", async () => {
    const id = `alice/${randomName("gated")}`;
    const r = ref("hf", "model", id);
    await alice().createRepo(r, { private: false });
    await upload(alice().destination(r), { "w.bin": pseudoRandom(20_000, 5) });
    const res = await fetch(`${hub.url}/api/models/${id}/settings`, {
      method: "PUT",
      headers: { authorization: `Bearer ${USERS.alice.token}`, "content-type": "application/json" },
      body: JSON.stringify({ gated: "manual" }),
    });
    assert.equal(res.status, 200, await res.text());
    const bob = new HfHub(hub.url, USERS.bob.token);
    const src = await bob.source(r);
    assert.equal(src.info.gated, "manual");
    await rejectsWith(
      src.read("w.bin", 0, 99).then((s) => readAll(s)),
      "FORBIDDEN",
      /./,
    );
    // The owner reads it.
    const own = await alice().source(r);
    assert.equal((await readAll(await own.read("w.bin", 0, 99))).length, 100);
  });

  it("reading a gated repo's file without access names the gate and where to ask for access", async () => {
    const id = `alice/${randomName("gated")}`;
    const r = ref("hf", "model", id);
    await alice().createRepo(r, { private: false });
    await upload(alice().destination(r), { "w.bin": pseudoRandom(20_000, 6) });
    await fetch(`${hub.url}/api/models/${id}/settings`, {
      method: "PUT",
      headers: { authorization: `Bearer ${USERS.alice.token}`, "content-type": "application/json" },
      body: JSON.stringify({ gated: "auto" }),
    });
    const src = await new HfHub(hub.url, USERS.bob.token).source(r);
    const err = await rejectsWith(
      src.read("w.bin", 0, 99).then((s) => readAll(s)),
      "FORBIDDEN",
      /is gated and this account has not been granted access/,
    );
    assert.match(err.hint ?? "", /ask for access at http/);
  });

  it("checkWritable: a write token passes and writes nothing; a read token is FORBIDDEN; no token AUTH_INVALID", async () => {
    const r = ref("hf", "model", model);
    const before = (await alice().repoInfo(r)).sha;
    await alice().checkWritable(r);
    assert.equal((await alice().repoInfo(r)).sha, before);
    await rejectsWith(new HfHub(hub.url, USERS.reader.token).checkWritable(r), "FORBIDDEN", /write to/);
    await rejectsWith(
      new HfHub(hub.url, USERS.bob.token).checkWritable(r),
      "FORBIDDEN",
      /write to hf:alice\//,
    );
    await rejectsWith(new HfHub(hub.url, undefined).checkWritable(r), "AUTH_INVALID", /refused the token/);
  });
});

describe("MsHub against the local hub", () => {
  const alice = () => new MsHub(hub.url, USERS.alice.msToken);
  const model = `alice/${randomName("msm")}`;
  const dataset = `alice/${randomName("msd")}`;
  const content = pseudoRandom(40_000, 21);

  before(async () => {
    const a = alice();
    assert.deepEqual(await a.createRepo(ref("ms", "model", model), { private: false }), { created: true });
    await upload(a.destination(ref("ms", "model", model)), {
      "README.md": Buffer.from("---\nlicense: mit\nlibrary_name: transformers\n---\n# ms model\n"),
      "w/data.bin": content,
    });
  });

  it("whoami and sessionLogin name the token's user; no token or a wrong token is refused", async () => {
    assert.equal((await alice().whoami()).name, "alice");
    assert.equal((await alice().sessionLogin()).username, "alice");
    await rejectsWith(new MsHub(hub.url, undefined).whoami(), "AUTH_MISSING", /no ModelScope token/);
    await rejectsWith(new MsHub(hub.url, undefined).sessionLogin(), "AUTH_MISSING", /no ModelScope token/);
    await rejectsWith(new MsHub(hub.url, "ms-bogus-0000").whoami(), "AUTH_INVALID", /HTTP 401/);
    await rejectsWith(
      new MsHub(hub.url, "ms-bogus-0000").sessionLogin(),
      "AUTH_INVALID",
      /refused the token/,
    );
  });

  it("repoInfo: card facts and the master branch; a studio (space) is BAD_INPUT; a missing repo REPO_NOT_FOUND", async () => {
    const info = await alice().repoInfo(ref("ms", "model", model));
    assert.equal(info.id, model);
    assert.equal(info.revision, "master");
    assert.equal(info.private, false);
    assert.equal(info.library, "transformers");
    await rejectsWith(alice().repoInfo(ref("ms", "space", model)), "BAD_INPUT", /studios/);
    await rejectsWith(
      alice().repoInfo(ref("ms", "dataset", model)),
      "REPO_NOT_FOUND",
      /^ms:datasets\/alice\/.* was not found/,
    );
  });

  it("detectType tells a model from a dataset; a missing id is REPO_NOT_FOUND naming both types", async () => {
    await alice().createRepo(ref("ms", "dataset", dataset), { private: false });
    assert.equal(await alice().detectType(ref("ms", "model", model)), "model");
    assert.equal(await alice().detectType(ref("ms", "model", dataset)), "dataset");
    const err = await rejectsWith(
      alice().detectType(ref("ms", "model", `alice/${randomName("none")}`)),
      "REPO_NOT_FOUND",
      /^ms:alice\/.* was not found as a model or dataset/,
    );
    assert.match(err.hint ?? "", /--repo-type/);
  });

  it("a dataset of more files than one listing page: every file is listed, each with its sha256", async () => {
    const big = `alice/${randomName("msp")}`;
    const r = ref("ms", "dataset", big);
    await alice().createRepo(r, { private: true });
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 230; i++)
      files[`rows/part-${String(i).padStart(4, "0")}.jsonl`] = Buffer.from(`{"i":${i}}\n`);
    await upload(alice().destination(r), files);
    const src = await alice().source(r);
    assert.equal(src.info.private, true);
    const listed = (await src.list()).filter((f) => f.path.startsWith("rows/"));
    assert.equal(listed.length, 230);
    assert.equal(new Set(listed.map((f) => f.path)).size, 230);
    assert.ok(listed.every((f) => /^[0-9a-f]{64}$/.test(f.sha256 ?? "")));
    assert.equal((await readAll(await src.read("rows/part-0229.jsonl", 0, 9))).toString(), '{"i":229}\n');
    // Private: invisible to bob, in listing as in info.
    await rejectsWith(
      new MsHub(hub.url, USERS.bob.msToken).listFiles(r, "master"),
      "REPO_NOT_FOUND",
      /not found/,
    );
  });

  it("source reads byte ranges of a model file exactly", async () => {
    const src = await alice().source(ref("ms", "model", model));
    const f = (await src.list()).find((x) => x.path === "w/data.bin");
    assert.equal(f?.size, content.length);
    assert.equal(
      (await readAll(await src.read("w/data.bin", 39_000, 39_999))).toString("hex"),
      content.subarray(39_000).toString("hex"),
    );
  });

  it("listRepos: the owner's models, sorted; spaces do not exist on ModelScope", async () => {
    const ids = await alice().listRepos("alice", "model");
    assert.ok(ids.includes(model), ids.join());
    assert.deepEqual(ids, [...ids].sort());
    assert.deepEqual(await alice().listRepos("alice", "space"), []);
  });

  it("createRepo: an existing model or dataset is created: false; another namespace is FORBIDDEN", async () => {
    assert.deepEqual(await alice().createRepo(ref("ms", "model", model), { private: false }), {
      created: false,
    });
    assert.deepEqual(await alice().createRepo(ref("ms", "dataset", dataset), { private: false }), {
      created: false,
    });
    await rejectsWith(
      alice().createRepo(ref("ms", "model", `bob/${randomName("x")}`), { private: false }),
      "FORBIDDEN",
      /does not let this token create ms:bob\//,
    );
  });

  it("createRepo with a name the hub refuses: the hub's 400 message comes through, not 'already exists'", async () => {
    const err = await rejectsWith(
      alice().createRepo(ref("ms", "model", "alice/bad..name"), { private: false }),
      "PROTOCOL",
      /POST \/api\/v1\/models: .*invalid name/,
    );
    assert.ok(err instanceof HttpStatusError);
    assert.equal(err.status, 400);
  });

  it("checkWritable: the owner passes; another user is FORBIDDEN; a wrong token AUTH_INVALID", async () => {
    const r = ref("ms", "model", model);
    await alice().checkWritable(r);
    await rejectsWith(
      new MsHub(hub.url, USERS.bob.msToken).checkWritable(r),
      "FORBIDDEN",
      /write to ms:alice\//,
    );
    await rejectsWith(
      new MsHub(hub.url, "ms-bogus-0000").checkWritable(r),
      "AUTH_INVALID",
      /refused the token/,
    );
  });
});
