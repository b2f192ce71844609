import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pseudoRandom, randomName, sha256 } from "../helpers/fixtures.js";
import { ORG, startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { hfClientEnv, runPython } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The hub's server-side copies, driven by the official huggingface_hub (test/interop/python/
 * hf_duplicate.py) over real HTTP to `hubferry serve`: `duplicate_repo` (`POST .../duplicate`) and
 * the cross-repo LFS copy `create_commit` makes for a `CommitOperationCopy` from another repo
 * (`POST .../lfs-files/duplicate`), with who may do what, and that no byte is uploaded.
 */
let hub: TestHub;
let work: { path: string; cleanup: () => Promise<void> };

type Result = {
  ok: boolean;
  value?: unknown;
  error?: string;
  status?: number;
  message?: string;
  mro?: string[];
  trace?: string;
};

function env(token: string | null): Record<string, string> {
  return hfClientEnv(hub.url, join(work.path, `home-${randomName("h")}`), token);
}

function call(name: string, kwargs: Record<string, unknown>, token: string | null, extra = {}) {
  return runPython<Result>("hf", "hf_duplicate.py", { call: name, kwargs, ...extra }, env(token));
}

async function value<T = unknown>(
  name: string,
  kwargs: Record<string, unknown>,
  token: string | null = USERS.alice.token,
  extra = {},
): Promise<T> {
  const r = await call(name, kwargs, token, extra);
  assert.equal(r.ok, true, `${name} failed: ${r.error}: ${r.message}\n${r.trace}`);
  return r.value as T;
}

async function failure(
  name: string,
  kwargs: Record<string, unknown>,
  token: string | null = USERS.alice.token,
  extra = {},
): Promise<Result> {
  const r = await call(name, kwargs, token, extra);
  assert.equal(r.ok, false, `${name} should have failed: ${JSON.stringify(r.value)}`);
  return r;
}

type Op = Record<string, unknown>;
const commit = (repo_id: string, operations: Op[], token: string = USERS.alice.token, kw = {}, extra = {}) =>
  value<{ oid: string }>("commit", { repo_id, operations, commit_message: "test", ...kw }, token, extra);

async function createRepo(token: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${hub.url}/api/repos/create`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.text());
}

/** Requests on the routes through which bytes are uploaded (LFS batch, PUTs, parts, verify). */
async function uploads(): Promise<number> {
  const s = await hub.stats();
  return ["hf.lfs-batch", "hf.lfs-put", "hf.lfs-part", "hf.lfs-complete", "hf.lfs-verify"]
    .map((k) => s[k] ?? 0)
    .reduce((a, b) => a + b, 0);
}

const commitIds = async (repo_id: string, revision = "main", token: string = USERS.alice.token) =>
  (await value<{ commit_id: string }[]>("list_repo_commits", { repo_id, revision }, token)).map(
    (c) => c.commit_id,
  );

const snapshot = (repo_id: string, revision?: string, token: string = USERS.alice.token) =>
  value<Record<string, string>>(
    "snapshot",
    { repo_id, revision, local_dir: join(work.path, randomName("snap")) },
    token,
  );

async function rawPost(path: string, token: string | null, body: string, type = "application/json") {
  const headers: Record<string, string> = { "content-type": type };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${hub.url}${path}`, { method: "POST", headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    assert.fail(`${path} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, json: json as Record<string, unknown> };
}

/** A commit as NDJSON naming an LFS object by oid only, as create_commit sends a copied file. */
function lfsCommit(repo: string, oid: string, token: string) {
  const lines = [
    { key: "header", value: { summary: "by oid", description: "" } },
    { key: "lfsFile", value: { path: `by-oid-${oid.slice(0, 8)}.bin`, algo: "sha256", oid } },
  ];
  return rawPost(
    `/api/models/${repo}/commit/main`,
    token,
    lines.map((l) => JSON.stringify(l)).join("\n"),
    "application/x-ndjson",
  );
}

const lfsDuplicate = (source: string, target: string, shas: string[], token: string | null) =>
  rawPost(
    `/api/models/${source}/lfs-files/duplicate`,
    token,
    JSON.stringify({
      target: { type: "model", name: target },
      files: shas.map((sha256) => ({ sha256, xetHash: "0".repeat(64), filename: "x.bin" })),
    }),
  );

/** The source: two commits on main (a weight replaced, so one object is only in history), a branch, a tag. */
let source: string;
const OLD_WEIGHT = sha256(pseudoRandom(5000, 4));
const BIG = sha256(pseudoRandom(300_000, 3));

before(async () => {
  hub = await startTestHub();
  work = await tempDir("hfdup");
  source = `alice/${randomName("src")}`;
  await createRepo(USERS.alice.token, { name: source.split("/")[1] });
  await commit(source, [
    { op: "add", path: "README.md", text: "---\nlicense: mit\n---\n# source\n" },
    { op: "add", path: "config.json", text: '{"hidden": 8}\n' },
    { op: "add", path: "weights/model.safetensors", size: 300_000, seed: 3 },
    { op: "add", path: "data.bin", size: 5000, seed: 4 },
  ]);
  await commit(source, [
    { op: "add", path: "notes/a.txt", text: "notes\n" },
    { op: "add", path: "data.bin", size: 5000, seed: 5 },
  ]);
  await value("create_branch", { repo_id: source, branch: "dev" });
  await commit(source, [{ op: "add", path: "dev.bin", size: 4000, seed: 6 }], USERS.alice.token, {
    revision: "dev",
  });
  await value("create_tag", { repo_id: source, tag: "v1" });
});

after(async () => {
  await hub?.stop();
  await work?.cleanup();
});

describe("duplicate_repo", () => {
  it("copies every branch and tag with the same commits, byte for byte, without uploading a byte", async () => {
    const target = `alice/${randomName("copy")}`;
    const before = await uploads();
    const got = await value<{ url: string; repo_id: string; files_copy_pending: boolean }>("duplicate_repo", {
      from_id: source,
      to_id: target,
    });
    assert.equal(got.repo_id, target);
    assert.equal(got.url, `${hub.url}/${target}`);
    assert.equal(got.files_copy_pending, false);
    assert.equal(await uploads(), before, "a server-side copy uploads nothing");

    for (const rev of ["main", "dev", "v1"]) {
      assert.deepEqual(await commitIds(target, rev), await commitIds(source, rev), `history of ${rev}`);
      const copy = await snapshot(target, rev);
      assert.deepEqual(copy, await snapshot(source, rev), `files at ${rev}`);
    }
    // Old commits too: the weight replaced on main is served by the copy from its history.
    const first = (await commitIds(source)).at(-2)!;
    assert.equal((await snapshot(target, first))["data.bin"], OLD_WEIGHT);
    const refs = await value<{ branches: { name: string; target_commit: string }[] }>("list_repo_refs", {
      repo_id: target,
    });
    assert.deepEqual(refs.branches.map((b) => b.name).sort(), ["dev", "main"]);
    const info = await value<{ private: boolean }>("repo_info", {
      repo_id: target,
    });
    assert.equal(info.private, false, "the source's visibility by default");
  });

  it("the copy's LFS objects are its own: a commit naming one by oid succeeds there and nowhere else", async () => {
    const target = `alice/${randomName("scoped")}`;
    await value("duplicate_repo", { from_id: source, to_id: target });
    const other = randomName("other");
    await createRepo(USERS.alice.token, { name: other });
    assert.equal((await lfsCommit(`alice/${other}`, OLD_WEIGHT, USERS.alice.token)).status, 422);
    const ok = await lfsCommit(target, OLD_WEIGHT, USERS.alice.token);
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
  });

  it("duplicates into an org the caller belongs to, private when asked; others cannot see it", async () => {
    const target = `${ORG}/${randomName("orgcopy")}`;
    await value("duplicate_repo", { from_id: source, to_id: target, private: true });
    const info = await value<{ private: boolean }>("repo_info", { repo_id: target });
    assert.equal(info.private, true);
    assert.equal((await snapshot(target))["weights/model.safetensors"], BIG);
    const bob = await failure("repo_info", { repo_id: target }, USERS.bob.token);
    assert.equal(bob.error, "RepositoryNotFoundError");
  });

  it("a taken target is 409 (HfHubHTTPError); exist_ok answers the existing repo's url", async () => {
    const target = `alice/${randomName("taken")}`;
    await value("duplicate_repo", { from_id: source, to_id: target });
    const head = (await commitIds(target))[0];
    await commit(target, [{ op: "add", path: "mine.txt", text: "mine" }]);
    const again = await failure("duplicate_repo", { from_id: source, to_id: target });
    assert.equal(again.error, "HfHubHTTPError");
    assert.equal(again.status, 409);
    const ok = await value<{ url: string }>("duplicate_repo", {
      from_id: source,
      to_id: target,
      exist_ok: true,
    });
    assert.equal(ok.url, `${hub.url}/${target}`);
    const ids = await commitIds(target);
    assert.equal(ids[1], head, "the existing repo is left as it was");
    // A case variant of a taken id is taken too.
    const upper = await failure("duplicate_repo", {
      from_id: source,
      to_id: target.replace(/[a-z]+-/, (m) => m.toUpperCase()),
    });
    assert.equal(upper.status, 409);
  });

  it("a private source is RepositoryNotFoundError to those who cannot see it", async () => {
    const name = randomName("secret");
    await createRepo(USERS.alice.token, { name, private: true });
    const r = await failure(
      "duplicate_repo",
      { from_id: `alice/${name}`, to_id: `bob/${name}` },
      USERS.bob.token,
    );
    assert.equal(r.error, "RepositoryNotFoundError");
    assert.equal(r.status, 404);
    const anon = await rawPost(`/api/models/alice/${name}/duplicate`, null, '{"repository":"x/y"}');
    assert.equal(anon.status, 401);
  });

  it("a gated source is GatedRepoError to those not granted access, for both copies", async () => {
    const name = randomName("gated");
    await value("duplicate_repo", { from_id: source, to_id: `alice/${name}` });
    await value("update_repo_settings", { repo_id: `alice/${name}`, gated: "auto" });
    const r = await failure(
      "duplicate_repo",
      { from_id: `alice/${name}`, to_id: `bob/${name}` },
      USERS.bob.token,
    );
    assert.equal(r.error, "GatedRepoError");
    const mine = randomName("dst");
    await createRepo(USERS.bob.token, { name: mine });
    assert.equal((await lfsDuplicate(`alice/${name}`, `bob/${mine}`, [BIG], USERS.bob.token)).status, 403);
    // Its owner duplicates it; the copy starts ungated.
    await value("duplicate_repo", { from_id: `alice/${name}`, to_id: `alice/${name}-2` });
    const info = await value<{ gated: unknown }>("repo_info", { repo_id: `alice/${name}-2` });
    assert.equal(info.gated, false);
  });

  it("a dataset is duplicated as a dataset", async () => {
    const name = randomName("ds");
    await createRepo(USERS.alice.token, { name, type: "dataset" });
    await commit(
      `alice/${name}`,
      [{ op: "add", path: "train.parquet", size: 3000, seed: 11 }],
      USERS.alice.token,
      {
        repo_type: "dataset",
      },
    );
    const got = await value<{ url: string }>("duplicate_repo", {
      from_id: `alice/${name}`,
      to_id: `alice/${name}-copy`,
      repo_type: "dataset",
    });
    assert.equal(got.url, `${hub.url}/datasets/alice/${name}-copy`);
    const files = await value<Record<string, string>>("snapshot", {
      repo_id: `alice/${name}-copy`,
      repo_type: "dataset",
      local_dir: join(work.path, randomName("snap")),
    });
    assert.equal(files["train.parquet"], sha256(pseudoRandom(3000, 11)));
  });

  it("the target namespace follows the rules of repo creation", async () => {
    // Bob may copy a public repo into his own namespace (to_id left out: the client asks whoami).
    const got = await value<{ repo_id: string }>("duplicate_repo", { from_id: source }, USERS.bob.token);
    assert.equal(got.repo_id, `bob/${source.split("/")[1]}`);
    assert.equal(
      (await snapshot(got.repo_id, "main", USERS.bob.token))["data.bin"],
      sha256(pseudoRandom(5000, 5)),
    );
    // ...but not into alice's, nor into an org he is not in; nor may a read token create.
    for (const to_id of [`alice/${randomName("bobs")}`, `${ORG}/${randomName("bobs")}`]) {
      const r = await failure("duplicate_repo", { from_id: source, to_id }, USERS.bob.token);
      assert.equal(r.status, 403, `${to_id}: ${r.message}`);
    }
    const reader = await failure(
      "duplicate_repo",
      { from_id: source, to_id: "reader/x" },
      USERS.reader.token,
    );
    assert.equal(reader.status, 403);
    // The client refuses such an id itself (HFValidationError); the hub too, as repo creation does.
    const bad = await rawPost(
      `/api/models/${source}/duplicate`,
      USERS.alice.token,
      '{"repository":"alice/bad--name"}',
    );
    assert.equal(bad.status, 400);
  });

  it("malformed bodies are 4xx JSON errors", async () => {
    const path = `/api/models/${source}/duplicate`;
    for (const body of ["", "{", "[]", '{"repository":1}', '{"repository":"a/b/c"}', '{"repository":"/x"}']) {
      const r = await rawPost(path, USERS.alice.token, body);
      assert.equal(r.status, 400, `${body}: ${JSON.stringify(r.json)}`);
      assert.equal(typeof r.json.error, "string");
    }
    const prot = await rawPost(path, USERS.alice.token, '{"repository":"alice/p1","visibility":"protected"}');
    assert.equal(prot.status, 400);
    const big = await rawPost(
      path,
      USERS.alice.token,
      JSON.stringify({ repository: "alice/x", pad: "x".repeat(2 << 20) }),
    );
    assert.equal(big.status, 413);
  });
});

describe("cross-repo copies (CommitOperationCopy from another repo)", () => {
  const copyOps = (src_repo_id: string) => [
    {
      op: "copy",
      src: "weights/model.safetensors",
      dest: "copied/model.safetensors",
      src_repo_id,
      src_repo_type: "model",
    },
    { op: "copy", src: "config.json", dest: "copied/config.json", src_repo_id, src_repo_type: "model" },
  ];

  it("create_commit alone copies an LFS file across repos once the source lists its Xet hash", async () => {
    // huggingface_hub refuses a cross-repo LFS copy whose source has no `xetHash` ("no xet hash");
    // the hub lists it once the file's Xet layout is computed (in the background after upload).
    let listed = false;
    for (let i = 0; i < 100 && !listed; i++) {
      const res = await fetch(`${hub.url}/api/models/${source}/paths-info/main`, {
        method: "POST",
        headers: { Authorization: `Bearer ${USERS.alice.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ paths: ["weights/model.safetensors"] }),
      });
      listed = !!((await res.json()) as { xetHash?: string }[])[0]?.xetHash;
      if (!listed) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(listed, "the source lists a xetHash");
    const target = `bob/${randomName("noxet")}`;
    await createRepo(USERS.bob.token, { name: target.split("/")[1] });
    const before = await uploads();
    await commit(target, copyOps(source), USERS.bob.token, { commit_message: "c" });
    assert.equal(await uploads(), before, "copied LFS objects are not uploaded");
    const files = await snapshot(target, "main", USERS.bob.token);
    assert.equal(files["copied/model.safetensors"], BIG);
  });

  it("the client's LFS duplication then create_commit: the file is the target's without an upload", async () => {
    const target = `bob/${randomName("dst")}`;
    await createRepo(USERS.bob.token, { name: target.split("/")[1] });
    const before = await uploads();
    await commit(target, copyOps(source), USERS.bob.token, {}, { xet_stand_in: true });
    assert.equal(await uploads(), before, "copied LFS objects are not uploaded");
    const files = await snapshot(target, "main", USERS.bob.token);
    assert.equal(files["copied/model.safetensors"], BIG);
    assert.equal(files["copied/config.json"], sha256(Buffer.from('{"hidden": 8}\n')));
  });

  it("an oid the source does not hold comes back failed: FileDuplicationError naming it", async () => {
    const target = `bob/${randomName("dst")}`;
    await createRepo(USERS.bob.token, { name: target.split("/")[1] });
    const bogus = sha256(Buffer.from("never committed"));
    const r = await failure(
      "commit",
      { repo_id: target, operations: copyOps(source), commit_message: "c" },
      USERS.bob.token,
      {
        xet_stand_in: true,
        oid_override: bogus,
      },
    );
    assert.equal(r.error, "FileDuplicationError");
    assert.match(r.message!, new RegExp(bogus));
  });

  it("grants only what the source committed, to a target the caller may write", async () => {
    const name = randomName("dst");
    const target = `bob/${name}`;
    await createRepo(USERS.bob.token, { name });
    // Before the copy, naming the object by oid is refused (the target does not hold it).
    assert.equal((await lfsCommit(target, OLD_WEIGHT, USERS.bob.token)).status, 422);
    const ok = await lfsDuplicate(source, target, [OLD_WEIGHT, BIG], USERS.bob.token);
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.deepEqual(ok.json.failed, []);
    assert.equal((await lfsCommit(target, OLD_WEIGHT, USERS.bob.token)).status, 200);

    // An object uploaded to the source but never committed is not the source's to give.
    const [uncommitted] = await value<string[]>("preupload", {
      repo_id: source,
      operations: [{ op: "add", path: "pending.bin", size: 6000, seed: 9 }],
    });
    const refused = await lfsDuplicate(source, target, [uncommitted!], USERS.bob.token);
    assert.equal(refused.status, 200);
    assert.deepEqual(
      (refused.json.failed as { sha256: string }[]).map((f) => f.sha256),
      [uncommitted],
    );
    assert.equal((await lfsCommit(target, uncommitted!, USERS.bob.token)).status, 422);

    // Write on the target: bob may not give objects to alice's repos; an unseen target is 404.
    const toAlice = await lfsDuplicate(source, `alice/${randomName("nope")}`, [BIG], USERS.bob.token);
    assert.equal(toAlice.status, 404);
    const aliceOther = randomName("hers");
    await createRepo(USERS.alice.token, { name: aliceOther });
    const noWrite = await lfsDuplicate(source, `alice/${aliceOther}`, [BIG], USERS.bob.token);
    assert.equal(noWrite.status, 403);
    const readOnly = await lfsDuplicate(source, target, [BIG], USERS.reader.token);
    assert.equal(readOnly.status, 403, "a read token gives nothing");
  });

  it("read on the source: a private source is 404 to others; malformed bodies are 4xx", async () => {
    const name = randomName("secret");
    await createRepo(USERS.alice.token, { name, private: true });
    const mine = randomName("dst");
    await createRepo(USERS.bob.token, { name: mine });
    const hidden = await lfsDuplicate(`alice/${name}`, `bob/${mine}`, [BIG], USERS.bob.token);
    assert.equal(hidden.status, 404);
    assert.equal((await lfsDuplicate(source, `bob/${mine}`, [BIG], null)).status, 401);
    const path = `/api/models/${source}/lfs-files/duplicate`;
    const bodies = [
      "",
      "{",
      '{"files":[]}',
      '{"target":{"name":"bob"},"files":[]}',
      `{"target":{"name":"bob/${mine}","type":"thing"},"files":[]}`,
      `{"target":{"name":"bob/${mine}"},"files":[{"sha256":"zz"}]}`,
      JSON.stringify({ target: { name: `bob/${mine}` }, files: Array(1001).fill({ sha256: BIG }) }),
    ];
    for (const body of bodies) {
      const r = await rawPost(path, USERS.bob.token, body);
      assert.equal(r.status, 400, `${body.slice(0, 80)}: ${JSON.stringify(r.json)}`);
    }
    const big = await rawPost(
      path,
      USERS.bob.token,
      `{"target":{"name":"bob/${mine}"},"pad":"${"x".repeat(2 << 20)}"}`,
    );
    assert.equal(big.status, 413);
  });
});
