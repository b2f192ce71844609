import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";
import { randomName } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { hfClientEnv, runPython } from "../helpers/python.js";
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
  return hfClientEnv(hub.url, join(work.path, "home"), token);
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

function bytes(content: string) {
  return { path_or_fileobj: { __bytes__: content } };
}

async function upload(id: string, path: string, content: string, extra: Record<string, unknown> = {}) {
  return value("upload_file", {
    path_or_fileobj: { __bytes__: content },
    path_in_repo: path,
    repo_id: id,
    ...extra,
  });
}

describe("repo management endpoints the client calls", () => {
  it("auth_check: passes for the owner, RepoNotFound for others on a private repo, GatedRepo when gated", async () => {
    const id = await newRepo("authchk", { private: true });
    assert.equal((await call("auth_check", { repo_id: id })).ok, true);
    assert.equal((await call("auth_check", { repo_id: id, write: true })).ok, true);
    const bob = await call("auth_check", { repo_id: id }, USERS.bob.token);
    assert.equal(bob.error, "RepositoryNotFoundError");
    assert.equal(bob.status, 404);
    const gated = await newRepo("gatedchk");
    const set = await api("PUT", `/api/models/${gated}/settings`, { gated: "auto" });
    assert.equal(set.status, 200);
    const g = await call("auth_check", { repo_id: gated }, USERS.bob.token);
    assert.equal(g.error, "GatedRepoError");
    assert.equal(g.status, 403);
  });

  it("move_repo renames; the old id still resolves; a taken target is 409", async () => {
    const id = await newRepo("mv-src");
    await upload(id, "a.txt", "hello");
    const to = `acme/${randomName("mv-dst")}`;
    assert.equal((await call("move_repo", { from_id: id, to_id: to })).ok, true);
    const info = (await value("repo_info", { repo_id: to })) as { id: string };
    assert.equal(info.id, to);
    const old = (await value("repo_info", { repo_id: id })) as { id: string };
    assert.equal(old.id, to, "the old id resolves to the moved repo");
    const other = await newRepo("mv-taken");
    const clash = await call("move_repo", { from_id: to, to_id: other });
    assert.equal(clash.ok, false);
    assert.equal(clash.status, 409);
  });

  it("delete_tag removes a tag (was 405)", async () => {
    const id = await newRepo("deltag");
    await value("create_tag", { repo_id: id, tag: "v1" });
    assert.equal((await call("delete_tag", { repo_id: id, tag: "v1" })).ok, true);
    const refs = (await value("list_repo_refs", { repo_id: id })) as { tags: unknown[] };
    assert.deepEqual(refs.tags, []);
    assert.equal((await call("delete_tag", { repo_id: id, tag: "v1" })).error, "RevisionNotFoundError");
  });

  it("super_squash_history leaves one commit with the same files", async () => {
    const id = await newRepo("squash");
    await upload(id, "a.txt", "one");
    await upload(id, "a.txt", "two");
    const before = (await value("list_repo_commits", { repo_id: id })) as unknown[];
    assert.ok(before.length >= 3);
    assert.equal((await call("super_squash_history", { repo_id: id, commit_message: "squashed" })).ok, true);
    const afterC = (await value("list_repo_commits", { repo_id: id })) as { title: string }[];
    assert.equal(afterC.length, 1);
    assert.equal(afterC[0]!.title, "squashed");
    const files = (await value("list_repo_files", { repo_id: id })) as string[];
    assert.deepEqual(files.sort(), [".gitattributes", "a.txt"]);
  });

  it("list_user_repos lists the user's and an org's repos with storage", async () => {
    const id = await newRepo("mine");
    const mine = (await value("list_user_repos", {})) as { id: string; type: string }[];
    assert.ok(mine.some((r) => r.id === id && r.type === "model"));
    const org = (await value("list_user_repos", { namespace: "acme" })) as { id: string }[];
    assert.ok(org.every((r) => r.id.startsWith("acme/")));
    const refused = await call("list_user_repos", { namespace: "acme" }, USERS.bob.token);
    assert.equal(refused.status, 403);
  });

  it("list_lfs_files then permanently_delete_lfs_files removes the object from every commit", async () => {
    const id = await newRepo("lfsdel");
    await upload(id, "w.bin", "\u0000binary weights\u0000");
    const files = (await value("lfs_files_then_delete", { repo_id: id })) as { filename: string }[];
    assert.deepEqual(
      files.map((f) => f.filename),
      ["w.bin"],
    );
    const left = (await value("list_repo_files", { repo_id: id })) as string[];
    assert.deepEqual(left, [".gitattributes"]);
    const again = (await value("list_lfs_files", { repo_id: id })) as unknown[];
    assert.deepEqual(again, []);
  });
});

describe("branches and tags", () => {
  it("an empty branch has no files; overwrite resets an existing branch; texts match the hub's", async () => {
    const id = await newRepo("branches");
    await upload(id, "file.txt", "file content");
    const empty = await api("POST", `/api/models/${id}/branch/empty`, { emptyBranch: true });
    assert.equal(empty.status, 200, await empty.text());
    assert.deepEqual(await value("list_repo_files", { repo_id: id, revision: "empty" }), []);
    assert.equal(await value("file_exists", { repo_id: id, filename: "file.txt", revision: "empty" }), false);
    await value("create_branch", { repo_id: id, branch: "cool-branch" });
    const again = await call("create_branch", { repo_id: id, branch: "cool-branch" });
    assert.match(again.message ?? "", /Reference refs\/heads\/cool-branch already exists/);
    assert.equal(again.status, 409);
    assert.equal(
      (await call("create_branch", { repo_id: id, branch: "cool-branch", exist_ok: true })).ok,
      true,
    );
    const reset = await api("POST", `/api/models/${id}/branch/cool-branch`, {
      emptyBranch: true,
      overwrite: true,
    });
    assert.equal(reset.status, 200, await reset.text());
    assert.deepEqual(await value("list_repo_files", { repo_id: id, revision: "cool-branch" }), []);
    const noop = await api("POST", `/api/models/${id}/branch/cool-branch`, { overwrite: true });
    assert.equal(noop.status, 200);
    const del = await call("delete_branch", { repo_id: id, branch: "main" });
    assert.equal(del.status, 403);
    assert.match(del.message ?? "", /Cannot delete refs\/heads\/main/);
    const missing = await call("delete_branch", { repo_id: id, branch: "nope" });
    assert.match(missing.message ?? "", /Invalid rev id/);
  });

  it("a stale parent commit is refused with the hub's 412 text", async () => {
    const id = await newRepo("stale");
    const first = (await upload(id, "a.txt", "one")) as { oid: string };
    await upload(id, "a.txt", "two");
    const r = await call("upload_file", {
      path_or_fileobj: { __bytes__: "three" },
      path_in_repo: "a.txt",
      repo_id: id,
      parent_commit: first.oid,
    });
    assert.equal(r.status, 412);
    assert.match(
      r.message ?? "",
      /The branch was updated since you opened this page\. Please refresh and try again\./,
    );
  });

  it("branch and tag names follow git's rules", async () => {
    const id = await newRepo("refnames");
    for (const bad of ["a..b", "x:y", "ends.lock", "sp ace"]) {
      const b = await call("create_branch", { repo_id: id, branch: bad });
      assert.equal(b.status, 400, `branch ${bad}`);
      const t = await call("create_tag", { repo_id: id, tag: bad });
      assert.equal(t.status, 400, `tag ${bad}`);
    }
    assert.equal((await call("create_tag", { repo_id: id, tag: "v1.0-rc1" })).ok, true);
  });
});

describe("paths with a backslash", () => {
  it("are stored as plain names; a path starting with ..\\ is a 422; hubferry pull refuses them", async () => {
    const id = await newRepo("bslash");
    const odd = "folder/..\\..\\..\\file.txt";
    assert.equal((await call("upload_file", { ...bytes("x"), path_in_repo: odd, repo_id: id })).ok, true);
    const files = (await value("list_repo_files", { repo_id: id })) as string[];
    assert.ok(files.includes(odd), JSON.stringify(files));
    const out = await call("upload_file", { ...bytes("y"), path_in_repo: "..\\x.txt", repo_id: id });
    assert.equal(out.status, 422, out.message);
    const dir = join(work.path, "pull-out", "target");
    const run = await runCli(["pull", "model", id, "--output", dir, "--json"], {
      HOME: work.path,
      HF_ENDPOINT: hub.url,
      HF_TOKEN: USERS.alice.token,
    });
    assert.ok(run.stdout.includes("backslash"), `${run.code}\n${run.stdout}\n${run.stderr}`);
    // Nothing was written outside the target, under any name.
    assert.deepEqual(await readdir(join(work.path, "pull-out")), ["target"]);
    const inside = await readdir(dir, { recursive: true });
    assert.ok(!inside.some((p) => p.includes("\\")), JSON.stringify(inside));
  });
});

describe("validate-yaml checks card metadata", () => {
  const card = (yaml: string) => `---\n${yaml}\n---\n# Card\n`;

  it("committing a README.md with a bad licence or bad types is refused by the client", async () => {
    const id = await newRepo("cards");
    const good = card("license: apache-2.0\ntags: [a, b]\nlanguage: [en, fr]\nbase_model: org/base");
    assert.equal(
      (await call("upload_file", { ...bytes(good), path_in_repo: "README.md", repo_id: id })).ok,
      true,
    );
    for (const bad of [
      "license: not-a-licence",
      "tags: just-a-string",
      "model-index: {name: x}",
      "a: [unclosed",
    ]) {
      const r = await call("upload_file", { ...bytes(card(bad)), path_in_repo: "README.md", repo_id: id });
      assert.equal(r.error, "ValueError", `${bad}: ${r.error} ${r.message}`);
      assert.match(r.message ?? "", /Invalid metadata in README\.md/);
    }
  });

  it("RepoCard.validate raises the server's text; JSON callers get errors and warnings", async () => {
    const r = await call("card_validate", { content: card("license: nope") });
    assert.equal(r.error, "ValueError");
    assert.match(r.message ?? "", /"license" must be one of/);
    assert.equal((await call("card_validate", { content: card("license: mit") })).ok, true);
    const res = await api("POST", "/api/validate-yaml", {
      content: card("language: English"),
      repoType: "model",
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { errors: unknown[]; warnings: { message: string }[] };
    assert.deepEqual(body.errors, []);
    assert.match(body.warnings[0]!.message, /language/);
  });
});

describe("preupload honours the repo's .gitignore", () => {
  it("upload_folder skips files the .gitignore at that revision ignores", async () => {
    const id = await newRepo("ignore");
    await upload(id, ".gitignore", "*.log\nbuild/\n");
    const folder = join(work.path, "ignore-src");
    await mkdir(join(folder, "build"), { recursive: true });
    await writeFile(join(folder, "keep.txt"), "kept");
    await writeFile(join(folder, "debug.log"), "noise");
    await writeFile(join(folder, "build", "out.txt"), "artefact");
    await value("upload_folder", { folder_path: folder, repo_id: id });
    const files = (await value("list_repo_files", { repo_id: id })) as string[];
    assert.deepEqual(files.sort(), [".gitattributes", ".gitignore", "keep.txt"]);
  });
});

describe("user names", () => {
  it("a users file with __DUMMY_HUB_USER__ is accepted and whoami names it", async () => {
    const users = join(work.path, "dummy-users.yaml");
    const token = "hf_dummy_user_token_0009";
    await writeFile(
      users,
      `users:\n  - name: __DUMMY_HUB_USER__\n    tokens:\n      - { name: t, value: ${token}, role: write }\n`,
    );
    const other = await startTestHub(["--users", users]);
    try {
      const res = await fetch(`${other.url}/api/whoami-v2`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { name: string }).name, "__DUMMY_HUB_USER__");
    } finally {
      await other.stop();
    }
  });
});

describe("smaller points", () => {
  it("the first commit is authored by the creator; short commit ids resolve; formatted=True gives HTML", async () => {
    const id = await newRepo("small");
    const up = (await upload(id, "a.txt", "one", { commit_message: "Add <a>" })) as { oid: string };
    const commits = (await value("list_repo_commits", { repo_id: id, formatted: true })) as {
      commit_id: string;
      authors: string[];
      title: string;
      formatted_title: string | null;
    }[];
    assert.deepEqual(commits.at(-1)!.authors, ["alice"], "initial commit author");
    assert.equal(commits[0]!.formatted_title, "Add &#60;a&#62;");
    const info = (await value("repo_info", { repo_id: id, revision: up.oid.slice(0, 7) })) as { sha: string };
    assert.equal(info.sha, up.oid);
    assert.equal(await value("revision_exists", { repo_id: id, revision: "0000000" }), false);
  });
});
