import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { pseudoRandom, randomName, sha256 } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";

/**
 * Protocol details the official clients rely on but do not all exercise: exact headers, status
 * codes, both encodings, byte ranges, LFS verification, and fault injection. Raw HTTP throughout.
 */
let hub: TestHub;
const auth = { authorization: `Bearer ${USERS.alice.token}` };

before(async () => {
  hub = await startTestHub([
    "--multipart-threshold",
    "2MB",
    "--multipart-chunk-size",
    "1MB",
    "--tree-page-size",
    "2",
  ]);
});
after(async () => {
  await hub?.stop();
});

async function api(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = auth,
): Promise<Response> {
  return fetch(`${hub.url}${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    redirect: "manual",
  });
}

async function createRepo(name: string, extra: Record<string, unknown> = {}): Promise<void> {
  const res = await api("POST", "/api/repos/create", { name, ...extra });
  assert.equal(res.status, 200, await res.text());
}

async function commit(
  repo: string,
  lines: unknown[],
  opts: { rev?: string; query?: string; token?: string } = {},
): Promise<Response> {
  const body = lines.map((l) => JSON.stringify(l)).join("\n");
  return fetch(
    `${hub.url}/api/models/${repo}/commit/${encodeURIComponent(opts.rev ?? "main")}${opts.query ?? ""}`,
    {
      method: "POST",
      headers: {
        authorization: `Bearer ${opts.token ?? USERS.alice.token}`,
        "content-type": "application/x-ndjson",
      },
      body,
    },
  );
}

const header = (summary = "test") => ({ key: "header", value: { summary, description: "" } });
const inline = (path: string, content: Buffer | string) => ({
  key: "file",
  value: { path, encoding: "base64", content: Buffer.from(content).toString("base64") },
});

interface BatchObject {
  oid: string;
  size: number;
  actions?: { upload?: { href: string; header?: Record<string, string> }; verify?: { href: string } };
  error?: { code: number; message: string };
}

async function lfsBatch(
  repo: string,
  objects: { oid: string; size: number }[],
  transfers = ["basic", "multipart"],
): Promise<{ transfer: string; objects: BatchObject[] }> {
  const res = await fetch(`${hub.url}/${repo}.git/info/lfs/objects/batch`, {
    method: "POST",
    headers: {
      ...auth,
      accept: "application/vnd.git-lfs+json",
      "content-type": "application/vnd.git-lfs+json",
    },
    body: JSON.stringify({
      operation: "upload",
      transfers,
      objects,
      hash_algo: "sha256",
      ref: { name: "main" },
    }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { transfer: string; objects: BatchObject[] };
}

/** A raw GET that survives a cut connection, reporting what arrived. */
function rawGet(url: string): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  aborted: boolean;
}> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: auth }, (res) => {
      const chunks: Buffer[] = [];
      let aborted = false;
      res.on("data", (c) => chunks.push(c));
      res.on("aborted", () => {
        aborted = true;
      });
      res.on("error", () => {
        aborted = true;
      });
      res.on("close", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          aborted: aborted || !res.complete,
        }),
      );
    });
    req.on("error", (err) =>
      err.message.includes("socket hang up") || err.message.includes("ECONNRESET")
        ? resolve({ status: 0, headers: {}, body: Buffer.alloc(0), aborted: true })
        : reject(err),
    );
    req.end();
  });
}

describe("local hub, Hugging Face face: protocol details", () => {
  const repo = `alice/${randomName("proto")}`;
  const lfsBytes = pseudoRandom(3000, 5);
  const lfsOid = sha256(lfsBytes);
  let head: string;

  before(async () => {
    await createRepo(repo.split("/")[1]!);
    const batch = await lfsBatch(repo, [{ oid: lfsOid, size: lfsBytes.length }]);
    const put = await fetch(batch.objects[0]!.actions!.upload!.href, { method: "PUT", body: lfsBytes });
    assert.equal(put.status, 200);
    const res = await commit(repo, [
      header("seed"),
      inline("README.md", "# hi\n"),
      inline("dir/sub/a.txt", "alpha\n"),
      inline("dir/b.txt", "beta\n"),
      {
        key: "lfsFile",
        value: { path: "weights.safetensors", algo: "sha256", oid: lfsOid, size: lfsBytes.length },
      },
    ]);
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { commitOid: string; commitUrl: string; success: boolean };
    head = body.commitOid;
    assert.equal(body.success, true);
    assert.equal(body.commitUrl, `${hub.url}/${repo}/commit/${head}`);
  });

  it("HEAD resolve of a regular file: explicit Content-Length, git-blob ETag, X-Repo-Commit", async () => {
    const res = await api("HEAD", `/${repo}/resolve/main/dir/b.txt`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-length"), "5");
    assert.equal(res.headers.get("x-repo-commit"), head);
    assert.equal(res.headers.get("accept-ranges"), "bytes");
    // The ETag is the git blob id of "beta\n", as `git hash-object` computes it.
    assert.equal(res.headers.get("etag"), '"65b2df87f7df3aeedef04be96703e55ac19c2cfb"');
    assert.match(String(res.headers.get("etag")), /^"[0-9a-f]{40}"$/);
  });

  it("resolve of an LFS file is a 302 to a signed URL carrying X-Linked-Etag/Size; the target serves the bytes", async () => {
    const res = await api("HEAD", `/${repo}/resolve/main/weights.safetensors`);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("x-linked-etag"), `"${lfsOid}"`);
    assert.equal(res.headers.get("x-linked-size"), String(lfsBytes.length));
    assert.equal(res.headers.get("x-repo-commit"), head);
    const location = String(res.headers.get("location"));
    assert.ok(location.startsWith(`${hub.url}/`), "absolute location on the same host");
    const get = await fetch(location);
    assert.ok(Buffer.from(await get.arrayBuffer()).equals(lfsBytes));
    const tampered = await fetch(location.replace(/sig=[0-9a-f]+/, "sig=0000"));
    assert.equal(tampered.status, 403);
    // raw/ gives the git object: the LFS pointer, with the pointer's blob id as ETag.
    const raw = await api("GET", `/${repo}/raw/main/weights.safetensors`);
    assert.equal(
      await raw.text(),
      `version https://git-lfs.github.com/spec/v1\noid sha256:${lfsOid}\nsize ${lfsBytes.length}\n`,
    );
    assert.equal(raw.headers.get("x-repo-commit"), head);
  });

  it("Range: 206 with Content-Range, suffix ranges, 416 past the end", async () => {
    const a = await api("GET", `/${repo}/resolve/main/dir/sub/a.txt`, undefined, {
      ...auth,
      range: "bytes=0-0",
    });
    assert.equal(a.status, 206);
    assert.equal(a.headers.get("content-range"), "bytes 0-0/6");
    assert.equal(await a.text(), "a");
    const b = await api("GET", `/${repo}/resolve/main/dir/sub/a.txt`, undefined, {
      ...auth,
      range: "bytes=-3",
    });
    assert.equal(await b.text(), "ha\n");
    const c = await api("GET", `/${repo}/resolve/main/dir/sub/a.txt`, undefined, {
      ...auth,
      range: "bytes=100-",
    });
    assert.equal(c.status, 416);
    assert.equal(c.headers.get("content-range"), "bytes */6");
  });

  it("tree: Python's %2F and JS's raw sub-paths are the same folder; Link is absolute with a space after ';'", async () => {
    const encoded = await api("GET", `/api/models/${repo}/tree/main/dir%2Fsub?recursive=false&expand=false`);
    const raw = await api("GET", `/api/models/${repo}/tree/main/dir/sub`);
    assert.deepEqual(await encoded.json(), await raw.json());
    const page1 = await api("GET", `/api/models/${repo}/tree/main?recursive=true`);
    const link = String(page1.headers.get("link"));
    assert.match(link, /^<http:\/\/127\.0\.0\.1:\d+\/api\/models\/[^>]+cursor=[^>]+>; rel="next"$/);
    let next: string | undefined = link.slice(1, link.indexOf(">"));
    const paths = ((await page1.json()) as { path: string }[]).map((e) => e.path);
    while (next) {
      const res = await fetch(next, { headers: auth });
      paths.push(...((await res.json()) as { path: string }[]).map((e) => e.path));
      const l = res.headers.get("link");
      next = l ? l.slice(1, l.indexOf(">")) : undefined;
    }
    assert.deepEqual(paths, [
      ".gitattributes",
      "README.md",
      "dir",
      "dir/b.txt",
      "dir/sub",
      "dir/sub/a.txt",
      "weights.safetensors",
    ]);
  });

  it("revisions: a PR ref works %2F-encoded and raw; HEAD means the default branch", async () => {
    const pr = await commit(repo, [header("pr"), inline("pr.txt", "pr\n")], { query: "?create_pr=1" });
    const prBody = (await pr.json()) as { pullRequestUrl: string; commitOid: string };
    assert.match(prBody.pullRequestUrl, /\/discussions\/1$/);
    const enc = await api("GET", `/api/models/${repo}/revision/refs%2Fpr%2F1`);
    assert.equal(((await enc.json()) as { sha: string }).sha, prBody.commitOid);
    const rawTree = await api("GET", `/api/models/${repo}/tree/refs/pr/1`);
    assert.equal(rawTree.status, 200);
    assert.equal(rawTree.headers.get("x-repo-commit"), prBody.commitOid);
    const resolved = await api("GET", `/${repo}/resolve/refs%2Fpr%2F1/pr.txt`);
    assert.equal(await resolved.text(), "pr\n");
    const headInfo = (await (await api("GET", `/api/models/${repo}/revision/HEAD`)).json()) as {
      sha: string;
    };
    assert.notEqual(headInfo.sha, prBody.commitOid, "the PR did not move main");
  });

  it("paths-info accepts form and JSON bodies", async () => {
    const form = await fetch(`${hub.url}/api/models/${repo}/paths-info/main`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/x-www-form-urlencoded" },
      body: "paths=dir%2Fb.txt&paths=missing&expand=false",
    });
    const json = await api("POST", `/api/models/${repo}/paths-info/main`, {
      paths: ["dir/b.txt", "missing"],
    });
    assert.deepEqual(await form.json(), await json.json());
  });

  it("errors carry X-Error-Code: RepoNotFound, RevisionNotFound, EntryNotFound (with X-Repo-Commit)", async () => {
    const missing = await api("GET", "/api/models/alice/nope-nope");
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-error-code"), "RepoNotFound");
    assert.deepEqual(await missing.json(), { error: "Repository not found" });
    const rev = await api("HEAD", `/${repo}/resolve/nope/README.md`);
    assert.equal(rev.headers.get("x-error-code"), "RevisionNotFound");
    const entry = await api("HEAD", `/${repo}/resolve/main/nope.md`);
    assert.equal(entry.status, 404);
    assert.equal(entry.headers.get("x-error-code"), "EntryNotFound");
    assert.match(String(entry.headers.get("x-repo-commit")), /^[0-9a-f]{40}$/);
  });

  it("an invalid token is 401 'Invalid credentials in Authorization header' even on public repos", async () => {
    const res = await api("GET", `/api/models/${repo}`, undefined, {
      authorization: "Bearer hf_wrong_wrong",
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("x-error-message"), "Invalid credentials in Authorization header");
  });

  it("every response carries RateLimit and RateLimit-Policy headers", async () => {
    const res = await api("GET", `/api/models/${repo}`);
    assert.match(String(res.headers.get("ratelimit")), /^"api";r=\d+;t=\d+$/);
    assert.match(String(res.headers.get("ratelimit-policy")), /^"fixed window";"api";q=\d+;w=300$/);
    const resolve = await api("HEAD", `/${repo}/resolve/main/README.md`);
    assert.match(String(resolve.headers.get("ratelimit")), /^"resolvers";/);
  });

  it("private repos are invisible (401 anonymous, 404 others, RepoNotFound) to anyone but the owner", async () => {
    const name = randomName("priv");
    await createRepo(name, { visibility: "private" });
    const callers: Record<string, string>[] = [{}, { authorization: `Bearer ${USERS.bob.token}` }];
    for (const headers of callers) {
      for (const path of [
        `/api/models/alice/${name}`,
        `/alice/${name}/resolve/main/.gitattributes`,
        `/api/models/alice/${name}/tree/main`,
      ]) {
        const res = await api("GET", path, undefined, headers);
        // As the real hub: an anonymous caller is told 401, an authenticated one 404.
        assert.equal(res.status, headers.authorization ? 404 : 401, path);
        assert.equal(res.headers.get("x-error-code"), "RepoNotFound");
      }
    }
    const search = (await (
      await api("GET", `/api/models?search=${name}`, undefined, {})
    ).json()) as unknown[];
    assert.equal(search.length, 0);
    const own = (await (await api("GET", `/api/models?search=${name}`)).json()) as unknown[];
    assert.equal(own.length, 1);
  });

  it("gated repos: info is public, files need access (401/403 GatedRepo)", async () => {
    const name = randomName("gated");
    await createRepo(name);
    const set = await api("PUT", `/api/models/alice/${name}/settings`, { gated: "manual" });
    assert.equal(set.status, 200);
    assert.equal((await api("GET", `/api/models/alice/${name}`, undefined, {})).status, 200);
    const anon = await api("GET", `/alice/${name}/resolve/main/.gitattributes`, undefined, {});
    assert.equal(anon.status, 401);
    assert.equal(anon.headers.get("x-error-code"), "GatedRepo");
    const bob = await api("GET", `/alice/${name}/resolve/main/.gitattributes`, undefined, {
      authorization: `Bearer ${USERS.bob.token}`,
    });
    assert.equal(bob.status, 403);
    assert.equal((await api("GET", `/alice/${name}/resolve/main/.gitattributes`)).status, 200);
  });

  it("create: 409 with the repo url in JSON; a space needs an sdk; bad names are 400", async () => {
    const dup = await api("POST", "/api/repos/create", { name: repo.split("/")[1] });
    assert.equal(dup.status, 409);
    assert.equal(((await dup.json()) as { url: string }).url, `${hub.url}/${repo}`);
    const space = await api("POST", "/api/repos/create", { name: randomName("sp"), type: "space" });
    assert.equal(space.status, 400);
    const bad = await api("POST", "/api/repos/create", { name: "../evil" });
    assert.equal(bad.status, 400);
    const anon = await api("POST", "/api/repos/create", { name: randomName("anon") }, {});
    assert.equal(anon.status, 401);
  });

  it("commits: parentCommit must be the head; deletes of missing files are 404; traversal paths are refused", async () => {
    const stale = await commit(repo, [
      { key: "header", value: { summary: "stale", parentCommit: "0".repeat(40) } },
      inline("x.txt", "x"),
    ]);
    assert.equal(stale.status, 412);
    const del = await commit(repo, [header(), { key: "deletedFile", value: { path: "nope.txt" } }]);
    assert.equal(del.status, 404);
    assert.equal(del.headers.get("x-error-code"), "EntryNotFound");
    for (const path of ["../x.txt", "/abs.txt", "a//b.txt", ".git/config"]) {
      const res = await commit(repo, [header(), inline(path, "x")]);
      assert.equal(res.status, 400, path);
    }
    const folder = await commit(repo, [header(), { key: "deletedFolder", value: { path: "dir/" } }]);
    assert.equal(folder.status, 200);
    const tree = (await (await api("GET", `/api/models/${repo}/tree/main?recursive=true`)).json()) as {
      path: string;
    }[];
    assert.ok(!tree.some((e) => e.path.startsWith("dir")));
  });

  it("an LFS upload whose bytes do not hash to its oid is refused and can never be committed", async () => {
    const good = pseudoRandom(1000, 77);
    const oid = sha256(good);
    const batch = await lfsBatch(repo, [{ oid, size: good.length }]);
    const href = batch.objects[0]!.actions!.upload!.href;
    const bad = Buffer.from(good);
    bad[10] = (bad[10] ?? 0) ^ 1;
    const put = await fetch(href, { method: "PUT", body: bad });
    assert.equal(put.status, 400);
    const res = await commit(repo, [
      header(),
      { key: "lfsFile", value: { path: "bad.bin", algo: "sha256", oid, size: good.length } },
    ]);
    assert.equal(res.status, 422);
    // The right bytes are then accepted, and a second batch says the object is already there.
    assert.equal((await fetch(href, { method: "PUT", body: good })).status, 200);
    const again = await lfsBatch(repo, [{ oid, size: good.length }]);
    assert.equal(again.objects[0]!.actions, undefined);
  });

  it("multipart: server-chosen chunk_size, ascending part keys, ETags; a corrupt part fails completion", async () => {
    const data = pseudoRandom(2 * 1024 * 1024 + 100, 99);
    const oid = sha256(data);
    const batch = await lfsBatch(repo, [{ oid, size: data.length }]);
    assert.equal(batch.transfer, "multipart");
    const header = batch.objects[0]!.actions!.upload!.header!;
    const chunk = Number(header.chunk_size);
    const keys = Object.keys(header).filter((k) => /^\d+$/.test(k));
    assert.deepEqual(keys, ["00001", "00002", "00003"]);
    const parts: { partNumber: number; etag: string }[] = [];
    for (const [i, key] of keys.entries()) {
      const slice = Buffer.from(data.subarray(i * chunk, (i + 1) * chunk));
      if (i === 1) slice[0] = (slice[0] ?? 0) ^ 1; // corrupt part 2
      const res = await fetch(header[key]!, { method: "PUT", body: slice });
      assert.equal(res.status, 200);
      parts.push({ partNumber: i + 1, etag: String(res.headers.get("etag")) });
    }
    const done = await fetch(batch.objects[0]!.actions!.upload!.href, {
      method: "POST",
      body: JSON.stringify({ oid, parts }),
      headers: { "content-type": "application/vnd.git-lfs+json" },
    });
    assert.equal(done.status, 400);
    const again = await lfsBatch(repo, [{ oid, size: data.length }]);
    assert.ok(again.objects[0]!.actions, "the object was not admitted");
  });

  it("search: sort and direction, full siblings, author, and Link pagination", async () => {
    const tag = randomName("sort");
    for (const n of ["c", "a", "b"]) await createRepo(`${tag}-${n}`);
    const ids = async (query: string) =>
      ((await (await api("GET", `/api/models?search=${tag}&${query}`)).json()) as { id: string }[]).map(
        (m) => m.id,
      );
    assert.deepEqual(
      await ids("sort=id&direction=1"),
      ["a", "b", "c"].map((n) => `alice/${tag}-${n}`),
    );
    assert.deepEqual(
      await ids("sort=id"),
      ["c", "b", "a"].map((n) => `alice/${tag}-${n}`),
      "descending by default",
    );
    assert.deepEqual(await ids("author=bob"), []);
    const full = (await (await api("GET", `/api/models?search=${tag}&full=true&limit=1`)).json()) as {
      siblings?: unknown[];
    }[];
    assert.equal(full.length, 1);
    assert.ok(Array.isArray(full[0]!.siblings));
    const bad = await api("GET", "/api/models?sort=stars");
    assert.equal(bad.status, 400);
  });

  it("search: the index follows each commit and each settings change at once", async () => {
    const tag = randomName("idx");
    for (const n of ["a", "b"]) await createRepo(`${tag}-${n}`);
    const ids = async (query: string, headers: Record<string, string> = auth) =>
      (
        (await (await api("GET", `/api/models?search=${tag}&${query}`, undefined, headers)).json()) as {
          id: string;
        }[]
      ).map((m) => m.id);
    // Ask once first, so that both heads are in the index before they change.
    assert.deepEqual(await ids("filter=text-generation"), []);
    assert.deepEqual(await ids("sort=lastModified&direction=1"), [`alice/${tag}-a`, `alice/${tag}-b`]);
    const card = "---\npipeline_tag: text-generation\nlibrary_name: transformers\n---\n# a\n";
    const res = await commit(`alice/${tag}-a`, [header("card"), inline("README.md", card)]);
    assert.equal(res.status, 200, await res.text());
    assert.deepEqual(await ids("filter=text-generation"), [`alice/${tag}-a`], "the new card is seen");
    assert.deepEqual(await ids("pipeline_tag=text-generation"), [`alice/${tag}-a`]);
    assert.deepEqual(await ids("filter=transformers&filter=text-generation"), [`alice/${tag}-a`]);
    assert.deepEqual(
      await ids("sort=lastModified&direction=1"),
      [`alice/${tag}-b`, `alice/${tag}-a`],
      "the commit moved a to the end",
    );
    const [item] = (await (await api("GET", `/api/models?search=${tag}-a`)).json()) as {
      sha: string;
      pipeline_tag?: string;
      cardData?: unknown;
    }[];
    const info = (await (await api("GET", `/api/models/alice/${tag}-a`)).json()) as { sha: string };
    assert.equal(item!.sha, info.sha, "a search item names the head commit");
    assert.equal(item!.pipeline_tag, "text-generation");
    assert.equal(item!.cardData, undefined, "no card without full");
    const hidden = await api("PUT", `/api/models/alice/${tag}-b/settings`, { private: true });
    assert.equal(hidden.status, 200, await hidden.text());
    assert.deepEqual(await ids("sort=id&direction=1", {}), [`alice/${tag}-a`], "private: gone for others");
    assert.deepEqual(await ids("sort=id&direction=1"), [`alice/${tag}-a`, `alice/${tag}-b`]);
  });

  it("validate-yaml: JSON always, 400 with errors[] for broken metadata", async () => {
    const fine = await api("POST", "/api/validate-yaml", {
      content: "---\nlicense: mit\n---\n",
      repoType: "model",
    });
    assert.deepEqual(await fine.json(), { errors: [], warnings: [] });
    const broken = await api("POST", "/api/validate-yaml", {
      content: "---\nlicense: [mit\n---\n",
      repoType: "model",
    });
    assert.equal(broken.status, 400);
    assert.ok(((await broken.json()) as { errors: { message: string }[] }).errors[0]!.message.length > 0);
  });

  describe("fault injection", () => {
    it("429 with Retry-After on a chosen route, then normal service", async () => {
      await hub.fault({ route: "hf.info", kind: "status", status: 429, retryAfter: 3, times: 1 });
      const first = await api("GET", `/api/models/${repo}`);
      assert.equal(first.status, 429);
      assert.equal(first.headers.get("retry-after"), "3");
      assert.equal((await api("GET", `/api/models/${repo}`)).status, 200);
    });

    it("5xx, a reset mid-body, a truncated body, a corrupted body, a slow response", async () => {
      const url = `${hub.url}/${repo}/resolve/main/README.md`;
      await hub.fault({ route: "hf.resolve", kind: "status", status: 503 });
      assert.equal((await fetch(url, { headers: auth })).status, 503);

      const big = `/${repo}/resolve/main/weights.safetensors`;
      const loc = String((await api("HEAD", big)).headers.get("location"));
      await hub.fault({ route: "hf.object", kind: "reset", afterBytes: 1000 });
      const reset = await rawGet(loc);
      assert.ok(reset.aborted && reset.body.length < lfsBytes.length, "reset mid-body");
      await hub.fault({ route: "hf.object", kind: "truncate", afterBytes: 500 });
      const cut = await rawGet(loc);
      assert.ok(cut.aborted, "truncated body is detected as incomplete");
      assert.equal(cut.body.length, 500);
      await hub.fault({ route: "hf.object", kind: "corrupt", afterBytes: 7 });
      const bad = await rawGet(loc);
      assert.equal(bad.body.length, lfsBytes.length);
      assert.notEqual(sha256(bad.body), lfsOid);
      // A slow response still answers normally; the rule's hit count shows it applied (no clock involved).
      await hub.clearFaults();
      await hub.fault({ route: "hf.info", kind: "slow", delayMs: 300 });
      assert.equal((await api("GET", `/api/models/${repo}`)).status, 200);
      const rules = await hub.faultRules();
      assert.deepEqual(
        rules.map((r) => [r.kind, r.hits]),
        [["slow", 1]],
      );
      const clean = await rawGet(loc);
      assert.equal(sha256(clean.body), lfsOid, "faults are spent; service is normal again");
    });
  });
});

describe("rate limits when enforced", () => {
  let limited: TestHub;
  before(async () => {
    limited = await startTestHub(["--rate-limit", "api=3"]);
  });
  after(async () => {
    await limited?.stop();
  });

  it("the request past the quota is a 429 with r=0 and Retry-After", async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${limited.url}/api/models`, { headers: auth });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.match(String(last!.headers.get("ratelimit")), /r=0;t=\d+/);
    assert.match(String(last!.headers.get("retry-after")), /^\d+$/);
  });
});
