import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { downloadFile } from "@huggingface/hub";
import { runCli } from "../helpers/cli.js";
import { readTree, sampleFixture, sha256, treeDiff, writeFixture } from "../helpers/fixtures.js";
import { ORG, startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { mirrorUsersYaml } from "../helpers/mirror-users.js";
import { hfClientEnv, runPython } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The local hub as a pull-through mirror: one local hub plays upstream (with faults injected),
 * a second one mirrors it, and the official huggingface_hub reads through the mirror. The
 * mirror's own users are not upstream's: upstream's namespaces are mirrored there.
 */

const MIRROR_USERS = {
  carol: "hf_carol_mirror_token_0001",
  dave: "hf_dave_mirror_token_0002",
};
const TTL_SECONDS = 6;

let upstream: TestHub;
let mirror: TestHub;
let work: { path: string; cleanup: () => Promise<void> };
const fixture = sampleFixture({ multipartBytes: 300_000, seed: 7 });
const secret = sampleFixture({ multipartBytes: 100_000, seed: 8 });
let openSha = "";

type Result = Record<string, unknown> & { ok: boolean; error?: string; message?: string; trace?: string };

let homes = 0;
/** huggingface_hub with a fresh cache each call, so every read really goes to the server. */
function py(endpoint: string, args: Record<string, unknown>, token: string | null): Promise<Result> {
  const home = join(work.path, `home-${homes++}`);
  return runPython<Result>("hf", "hf_client.py", args, hfClientEnv(endpoint, home, token));
}

async function ok(endpoint: string, args: Record<string, unknown>, token: string | null): Promise<Result> {
  const r = await py(endpoint, args, token);
  assert.equal(r.ok, true, `${String(args.op)} failed: ${r.error}: ${r.message}\n${r.trace}`);
  return r;
}

async function snapshot(
  repo: string,
  token: string | null,
  revision?: string,
): Promise<Record<string, Buffer>> {
  const dir = join(work.path, `snap-${homes}`);
  await ok(mirror.url, { op: "snapshot_download", repo_id: repo, local_dir: dir, revision }, token);
  return readTree(dir, (rel) => rel.startsWith(".cache") || rel === ".gitattributes");
}

/** A repo of alice's on upstream, holding `files`. */
async function upstreamRepo(repo: string, files: Record<string, Buffer>, priv = false): Promise<void> {
  const dir = join(work.path, `src-${repo.replace("/", "_")}`);
  await writeFixture(dir, { files });
  await ok(upstream.url, { op: "create_repo", repo_id: repo, private: priv }, USERS.alice.token);
  await ok(upstream.url, { op: "upload_folder", folder: dir, repo_id: repo }, USERS.alice.token);
}

function blobPath(root: string, data: Buffer): string {
  const h = sha256(data);
  return join(root, "blobs", h.slice(0, 2), h.slice(2, 4), h);
}

before(async () => {
  work = await tempDir("mirror");
  upstream = await startTestHub();
  for (const [repo, files, priv] of [
    ["alice/open-model", fixture, false],
    [`${ORG}/secret-model`, secret, true],
  ] as const) {
    await upstreamRepo(repo, files.files, priv);
  }
  const tokenFile = join(work.path, "upstream-token");
  await writeFile(tokenFile, `${USERS.alice.token}\n`, { mode: 0o600 });
  mirror = await startTestHub(
    [
      "--mirror",
      `hf=${upstream.url}`,
      "--upstream-token",
      `hf=@${tokenFile}`,
      "--mirror-ttl",
      String(TTL_SECONDS),
    ],
    {
      usersYaml: mirrorUsersYaml([
        { name: "carol", orgs: ["team"], token: MIRROR_USERS.carol },
        { name: "dave", grants: [`hf:${ORG}/*`], token: MIRROR_USERS.dave, role: "read" },
      ]),
    },
  );
});

after(async () => {
  await mirror?.stop();
  await upstream?.stop();
  await work?.cleanup();
});

describe("serve --mirror hf=URL (huggingface_hub through the mirror)", () => {
  it("a first snapshot_download is byte-identical, pinned to upstream's commit, and kept in the store", async () => {
    const info = await ok(mirror.url, { op: "repo_info", repo_id: "alice/open-model" }, null);
    const up = await ok(upstream.url, { op: "repo_info", repo_id: "alice/open-model" }, null);
    assert.equal(info.sha, up.sha, "the mirror names upstream's own commit");
    openSha = String(info.sha);
    const got = await snapshot("alice/open-model", null);
    assert.deepEqual(treeDiff(fixture.files, got), []);
    for (const path of ["model.safetensors", "weights/big.bin", "config.json"])
      assert.ok(existsSync(blobPath(mirror.root, fixture.files[path]!)), `${path} is in the mirror's store`);
  });

  it("upstream bytes that do not match the listing are never served as good, nor kept", async () => {
    const wanted = Buffer.concat([fixture.files["weights/big.bin"]!, Buffer.from("x")]);
    const other = Buffer.concat([wanted, Buffer.from("y")]);
    // Files of another repo, so they are not in the store yet: upstream corrupts their first body.
    await upstreamRepo("alice/corrupt", { "w.bin": wanted, "v.bin": other });

    // Over raw HTTP: the body is cut before its end, nothing is kept, and a resume is refused.
    await upstream.fault({ route: "hf.object", kind: "corrupt", afterBytes: 1000, times: 1 });
    const url = `${mirror.url}/alice/corrupt/resolve/main/w.bin`;
    const cut = await fetch(url);
    assert.equal(cut.status, 200);
    await assert.rejects(cut.arrayBuffer(), "the bad body never arrives whole");
    assert.equal(existsSync(blobPath(mirror.root, wanted)), false, "nothing kept");
    const resumed = await fetch(url, { headers: { range: "bytes=1000-" } });
    assert.equal(resumed.status, 502, "a resume of the bad body is refused: its head may be wrong");
    assert.match(String(((await resumed.json()) as { error: string }).error), /from its first byte/);
    const whole = await fetch(url);
    assert.ok(
      Buffer.from(await whole.arrayBuffer()).equals(wanted),
      "a fresh download gets upstream's true bytes",
    );
    assert.ok(existsSync(blobPath(mirror.root, wanted)), "and the checked blob is kept");

    // huggingface_hub: its own retry after the cut ends with the true bytes.
    await upstream.fault({ route: "hf.object", kind: "corrupt", afterBytes: 1000, times: 1 });
    const r = await ok(
      mirror.url,
      { op: "hf_hub_download", repo_id: "alice/corrupt", filename: "v.bin" },
      null,
    );
    assert.ok((await readFile(String(r.path))).equals(other));
    const rules = await upstream.faultRules();
    assert.equal(
      rules.filter((x) => x.kind === "corrupt" && x.hits === 1).length,
      2,
      "both bodies were corrupted",
    );
    await upstream.clearFaults();
  });

  it("a connection reset mid-body upstream is resumed: the client sees one whole file", async () => {
    const body = Buffer.concat([fixture.files["model.safetensors"]!, Buffer.from("reset")]);
    await upstreamRepo("alice/reset", { "m.safetensors": body });
    await upstream.fault({ route: "hf.object", kind: "reset", afterBytes: 50_000, times: 1 });
    const r = await ok(
      mirror.url,
      { op: "hf_hub_download", repo_id: "alice/reset", filename: "m.safetensors" },
      null,
    );
    assert.ok((await readFile(String(r.path))).equals(body));
    const rules = await upstream.faultRules();
    assert.ok(
      rules.some((x) => x.kind === "reset" && x.hits === 1),
      "the reset did happen",
    );
    await upstream.clearFaults();
  });

  it("concurrent downloads of a file not stored yet share one upstream fetch; 5xx and slow bodies upstream are ridden out", async () => {
    const body = Buffer.concat([fixture.files["model.safetensors"]!, Buffer.from("crowd")]);
    await upstreamRepo("alice/crowd", { "c.safetensors": body });
    // Upstream answers the repo info with 503 twice, then sends the file slowly.
    await upstream.fault({ route: "hf.info", kind: "status", status: 503, times: 2 });
    await upstream.fault({ route: "hf.object", kind: "throttle", bytesPerSecond: 256 * 1024, times: 1 });
    const before = (await upstream.stats())["hf.object"] ?? 0;
    const url = `${mirror.url}/alice/crowd/resolve/main/c.safetensors`;
    const got = await Promise.all(
      Array.from({ length: 4 }, async () => Buffer.from(await (await fetch(url)).arrayBuffer())),
    );
    for (const b of got) assert.ok(b.equals(body), "every client gets the whole file");
    assert.equal(
      ((await upstream.stats())["hf.object"] ?? 0) - before,
      1,
      "one fetch upstream for four clients",
    );
    const head = await fetch(url, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal([...head.headers.keys()].filter((h) => h.startsWith("x-xet")).length, 0, "no Xet headers");
    const rules = await upstream.faultRules();
    assert.deepEqual(
      rules.map((r) => [r.kind, r.hits]),
      [
        ["status", 2],
        ["throttle", 1],
      ],
      "both faults happened",
    );
    await upstream.clearFaults();
  });

  it("a private upstream repo is readable only by local users granted it", async () => {
    const anon = await py(mirror.url, { op: "repo_info", repo_id: `${ORG}/secret-model` }, null);
    assert.equal(anon.ok, false);
    assert.match(String(anon.error), /RepositoryNotFound/);
    const carol = await py(
      mirror.url,
      { op: "repo_info", repo_id: `${ORG}/secret-model` },
      MIRROR_USERS.carol,
    );
    assert.equal(carol.ok, false);
    assert.match(String(carol.error), /RepositoryNotFound/);
    const got = await snapshot(`${ORG}/secret-model`, MIRROR_USERS.dave);
    assert.deepEqual(treeDiff(secret.files, got), []);
    // Now that it is stored, still hidden from everyone else.
    const again = await py(
      mirror.url,
      { op: "repo_info", repo_id: `${ORG}/secret-model` },
      MIRROR_USERS.carol,
    );
    assert.match(String(again.error), /RepositoryNotFound/);
    const search = await fetch(`${mirror.url}/api/models?author=${ORG}`, {
      headers: { authorization: `Bearer ${MIRROR_USERS.carol}` },
    });
    assert.deepEqual(await search.json(), [], "search does not show it either");
  });

  it("a repo upstream lacks is not-found here too, and asked upstream once per TTL", async () => {
    const before = (await upstream.stats())["hf.info"] ?? 0;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${mirror.url}/api/models/alice/no-such-model`, {
        headers: { authorization: `Bearer ${MIRROR_USERS.carol}` },
      });
      assert.equal(res.status, 404);
      assert.equal(res.headers.get("x-error-code"), "RepoNotFound");
    }
    assert.equal(((await upstream.stats())["hf.info"] ?? 0) - before, 1);
  });

  it("a write to a mirrored repo is refused with what to do; local namespaces take writes", async () => {
    const file = join(work.path, "note.txt");
    await writeFile(file, "hello\n");
    const refused = await py(
      mirror.url,
      { op: "upload_file", file, path_in_repo: "note.txt", repo_id: "alice/open-model" },
      MIRROR_USERS.carol,
    );
    assert.equal(refused.ok, false);
    assert.match(String(refused.message), /mirrored from .* read-only here/);
    await ok(mirror.url, { op: "create_repo", repo_id: "team/local-model" }, MIRROR_USERS.carol);
    await ok(
      mirror.url,
      { op: "upload_file", file, path_in_repo: "note.txt", repo_id: "team/local-model" },
      MIRROR_USERS.carol,
    );
    const files = await ok(
      mirror.url,
      { op: "list_repo_files", repo_id: "team/local-model" },
      MIRROR_USERS.carol,
    );
    assert.ok((files.files as string[]).includes("note.txt"));
  });

  it("a branch moved upstream is seen after the TTL, and a snapshot pinned to the old commit still reads it", async () => {
    const before = await ok(
      mirror.url,
      { op: "repo_info", repo_id: "alice/open-model", revision: "main" },
      null,
    );
    const file = join(work.path, "moved.txt");
    await writeFile(file, "a new commit upstream\n");
    const pushed = await ok(
      upstream.url,
      { op: "upload_file", file, path_in_repo: "moved.txt", repo_id: "alice/open-model" },
      USERS.alice.token,
    );
    let seen = String(before.sha);
    const pushedAt = Date.now();
    const deadline = Date.now() + (TTL_SECONDS + 20) * 1000;
    while (seen !== pushed.commit && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      seen = String(
        (await ok(mirror.url, { op: "repo_info", repo_id: "alice/open-model", revision: "main" }, null)).sha,
      );
    }
    assert.equal(seen, pushed.commit, "the new upstream commit shows after the TTL");
    assert.ok(Date.now() - pushedAt < (TTL_SECONDS + 10) * 1000, "within the TTL (and a little slack)");
    const old = await snapshot("alice/open-model", null, openSha);
    assert.deepEqual(treeDiff(fixture.files, old), [], "the old commit's files, unchanged");
  });

  it("@huggingface/hub and hubferry pull read through the mirror unchanged", async () => {
    for (const path of ["config.json", "weights/big.bin"]) {
      const blob = await downloadFile({
        repo: "alice/open-model",
        path,
        revision: openSha,
        hubUrl: mirror.url,
      });
      assert.ok(blob, path);
      assert.ok(Buffer.from(await blob.arrayBuffer()).equals(fixture.files[path]!), path);
    }
    const out = join(work.path, "pulled");
    const picked = ["config.json", "README.md", "nested/deep/notes.txt"];
    const run = await runCli(
      ["pull", "files", "alice/open-model", ...picked, "--revision", openSha, "--output", out, "--json"],
      { HOME: join(work.path, "cli-home"), HF_ENDPOINT: mirror.url },
    );
    assert.equal(run.code, 0, run.stderr);
    const got = await readTree(out, (rel) => rel.startsWith(".cache"));
    assert.deepEqual(treeDiff(Object.fromEntries(picked.map((p) => [p, fixture.files[p]!])), got), []);
  });

  it("hubferry info and migrate read from the mirror: a copy to a local namespace streams what is not fetched yet", async () => {
    const body = Buffer.concat([fixture.files["weights/big.bin"]!, Buffer.from("copy")]);
    await upstreamRepo("alice/to-copy", {
      "w.safetensors": body,
      "config.json": fixture.files["config.json"]!,
    });
    const env = { HOME: join(work.path, "cli-copy"), HF_ENDPOINT: mirror.url, HF_TOKEN: MIRROR_USERS.carol };
    const info = await runCli(["info", "model", "alice/to-copy", "--json"], env);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /w\.safetensors/);
    const migrated = await runCli(["migrate", "hf:alice/to-copy", "hf:team/copied", "--yes", "--json"], env);
    assert.equal(migrated.code, 0, migrated.stderr + migrated.stdout.slice(-1500));
    assert.ok(!(migrated.stdout + migrated.stderr).includes(MIRROR_USERS.carol), "no token in the output");
    const copied = await ok(
      mirror.url,
      { op: "hf_hub_download", repo_id: "team/copied", filename: "w.safetensors" },
      MIRROR_USERS.carol,
    );
    assert.ok((await readFile(String(copied.path))).equals(body), "the local copy holds upstream's bytes");
  });

  it("--offline serves nothing it has not stored: a miss is 504, never a not-found", async () => {
    const offline = await startTestHub(["--mirror", `hf=${upstream.url}`, "--offline"], {
      usersYaml: mirrorUsersYaml(),
    });
    try {
      for (const path of ["/api/models/alice/open-model", "/alice/open-model/resolve/main/config.json"]) {
        const res = await fetch(`${offline.url}${path}`);
        assert.equal(res.status, 504, path);
        assert.match(String(((await res.json()) as { error: string }).error), /runs offline/);
      }
      const r = await py(offline.url, { op: "repo_info", repo_id: "alice/open-model" }, null);
      assert.equal(r.ok, false);
      assert.doesNotMatch(
        String(r.error),
        /RepositoryNotFound/,
        "huggingface_hub is not told the repo is gone",
      );
    } finally {
      await offline.stop();
    }
  });

  it("hubferry mirror ls/prune: pinned refs and stored bytes; pruning frees only bytes no local repo shares", async () => {
    const shared = fixture.files["model.safetensors"]!;
    const file = join(work.path, "shared.safetensors");
    await writeFile(file, shared);
    await ok(
      mirror.url,
      { op: "upload_file", file, path_in_repo: "m.safetensors", repo_id: "team/local-model" },
      MIRROR_USERS.carol,
    );
    const ls = await runCli(["mirror", "ls", "--root", mirror.root, "--json"], { HOME: work.path });
    assert.equal(ls.code, 0, ls.stderr);
    const usage = JSON.parse(ls.stdout) as {
      repos: { id: string; refs: Record<string, string>; storedBytes: number }[];
    };
    const open = usage.repos.find((r) => r.id === "alice/open-model");
    assert.ok(open && open.storedBytes > 0 && /^[0-9a-f]{40}$/.test(open.refs.main ?? ""), ls.stdout);
    assert.ok(!usage.repos.some((r) => r.id === "team/local-model"), "a local repo is not a mirrored one");

    const dry = await runCli(
      ["mirror", "prune", "--root", mirror.root, "--max-size", "0", "--dry-run", "--json"],
      { HOME: work.path },
    );
    assert.equal(dry.code, 0, dry.stderr);
    assert.ok((JSON.parse(dry.stdout) as { removed: unknown[] }).removed.length > 0);
    assert.ok(
      existsSync(blobPath(mirror.root, fixture.files["weights/big.bin"]!)),
      "a dry run removes nothing",
    );

    const pruned = await runCli(["mirror", "prune", "--root", mirror.root, "--max-size", "0", "--json"], {
      HOME: work.path,
    });
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.equal(
      existsSync(blobPath(mirror.root, fixture.files["weights/big.bin"]!)),
      false,
      "a mirrored file's bytes went",
    );
    assert.ok(existsSync(blobPath(mirror.root, shared)), "bytes a local repo shares stay");
    assert.ok(existsSync(blobPath(mirror.root, fixture.files["config.json"]!)), "small in-git files stay");
    // A pruned file is fetched from upstream again, and is whole.
    const again = await snapshot("alice/open-model", null, openSha);
    assert.deepEqual(treeDiff(fixture.files, again), []);
  });

  it("with upstream stopped: what the store has is served, a miss is 504 naming upstream", async () => {
    await upstream.stop();
    const got = await snapshot("alice/open-model", null, openSha);
    assert.deepEqual(treeDiff(fixture.files, got), []);
    const byBranch = await ok(mirror.url, { op: "repo_info", repo_id: "alice/open-model" }, null);
    assert.ok(byBranch.sha, "a branch past its TTL is served from the store");
    const miss = await fetch(`${mirror.url}/api/models/alice/never-fetched`);
    assert.equal(miss.status, 504);
    assert.match(String(((await miss.json()) as { error: string }).error), /could not be reached/);
  });
});
