import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { downloadFile, snapshotDownload } from "@huggingface/hub";
import { pseudoRandom, sha256 } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { hfClientEnv, hfXetClientEnv, runPython } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * Xet downloads from the local hub, judged by huggingface_hub 2.4.0 with hf_xet 1.8.0 (the Rust
 * client checks every CAS answer and xorb byte) and by @huggingface/hub's XetBlob. Xorbs are
 * capped at 300 KiB so a 700 kB file spans several of them. Each download also checks, through
 * the hub's request counts, that the bytes came from the CAS routes and not the plain LFS object.
 */

type Result = Record<string, unknown> & { ok: boolean; error?: string; message?: string; trace?: string };

let hub: TestHub;
let work: { path: string; cleanup: () => Promise<void> };

const FILES: Record<string, Buffer> = {
  "big.bin": pseudoRandom(700_000, 7),
  "weights/small.bin": Buffer.from("hello xet ".repeat(9)),
  "one.bin": Buffer.from("x"),
  "empty.bin": Buffer.alloc(0),
  "README.md": Buffer.from("# xet\n"),
  ".gitattributes": Buffer.from("*.bin filter=lfs diff=lfs merge=lfs -text\n"),
};
const LFS = ["big.bin", "weights/small.bin", "one.bin"];

async function py(args: Record<string, unknown>, env: Record<string, string>): Promise<Result> {
  return runPython<Result>("hf", "hf_xet_client.py", args, env);
}

function xetEnv(token: string | null = USERS.alice.token): Record<string, string> {
  return hfXetClientEnv(hub.url, join(work.path, "home"), token);
}

function lfsEnv(token: string | null = USERS.alice.token): Record<string, string> {
  return hfClientEnv(hub.url, join(work.path, "home"), token);
}

async function ok(args: Record<string, unknown>, env: Record<string, string>): Promise<Result> {
  const r = await py(args, env);
  assert.equal(r.ok, true, `${String(args.op)} failed: ${r.error}: ${r.message}\n${r.trace}`);
  return r;
}

/** How many requests each route got while `fn` ran. */
async function counting(fn: () => Promise<void>): Promise<Record<string, number>> {
  const before = await hub.stats();
  await fn();
  const after = await hub.stats();
  return Object.fromEntries(Object.keys(after).map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]));
}

/** The tree's xetHash per LFS path, once the background layouts are done. */
async function xetHashes(repo: string, token: string): Promise<Record<string, string>> {
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${hub.url}/api/models/${repo}/tree/main?recursive=true`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const tree = (await res.json()) as { path: string; xetHash?: string; lfs?: unknown }[];
    const lfs = tree.filter((e) => e.lfs);
    if (lfs.length > 0 && lfs.every((e) => e.xetHash))
      return Object.fromEntries(lfs.map((e) => [e.path, e.xetHash!]));
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no Xet layouts for ${repo}`);
}

async function readToken(repo: string, token: string | null): Promise<Response> {
  return fetch(`${hub.url}/api/models/${repo}/xet-read-token/main`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
}

before(async () => {
  hub = await startTestHub(["--xet-xorb-size", "300KiB"]);
  work = await tempDir("hfxet");
  const folder = join(work.path, "src");
  for (const [p, data] of Object.entries(FILES)) {
    await mkdir(join(folder, p, ".."), { recursive: true });
    await writeFile(join(folder, p), data);
  }
  await ok({ op: "create_repo", repo_id: "alice/xet" }, lfsEnv());
  // Uploads still go through LFS: this increment serves Xet downloads only (see the upload test).
  await ok({ op: "upload_folder", repo_id: "alice/xet", folder }, lfsEnv());
  await ok({ op: "create_repo", repo_id: "alice/secret", private: true }, lfsEnv());
  await writeFile(join(work.path, "secret.bin"), pseudoRandom(50_000, 99));
  await ok(
    {
      op: "upload_file",
      repo_id: "alice/secret",
      path: join(work.path, "secret.bin"),
      path_in_repo: "s.bin",
    },
    lfsEnv(),
  );
});

after(async () => {
  await hub?.stop();
  await work?.cleanup();
});

describe("Xet downloads through the local hub", () => {
  it("lists xetHash for LFS files only, once computed", async () => {
    const hashes = await xetHashes("alice/xet", USERS.alice.token);
    assert.deepEqual(Object.keys(hashes).sort(), [...LFS].sort());
    for (const h of Object.values(hashes)) assert.match(h, /^[0-9a-f]{64}$/);
    const r = await ok({ op: "tree", repo_id: "alice/xet" }, xetEnv());
    assert.equal((r.xet_hashes as Record<string, string | null>)["big.bin"], hashes["big.bin"]);
    assert.equal((r.xet_hashes as Record<string, string | null>)["README.md"], null);
  });

  it("hf_hub_download with hf_xet gets every LFS file byte-identical from the CAS", async () => {
    assert.equal((await ok({ op: "env" }, xetEnv())).xet, true, "hf_xet is installed and on");
    for (const [i, path] of LFS.entries()) {
      let r: Result | undefined;
      const delta = await counting(async () => {
        r = await ok(
          {
            op: "hf_hub_download",
            repo_id: "alice/xet",
            filename: path,
            cache_dir: join(work.path, `c${i}`),
          },
          xetEnv(),
        );
      });
      assert.equal(r!.sha256, sha256(FILES[path]!), path);
      assert.ok(
        (delta["hf.xet-reconstruction"] ?? 0) >= 1,
        `${path}: reconstruction asked ${JSON.stringify(delta)}`,
      );
      assert.ok((delta["hf.xet-xorb"] ?? 0) >= (path === "big.bin" ? 3 : 1), `${path}: xorbs fetched`);
      // huggingface_hub follows the resolve redirect with its HEAD (same host), then fetches no bytes there.
      assert.equal(delta["hf.object"] ?? 0, 1, `${path}: the object route saw the HEAD only, no GET`);
    }
  });

  it("snapshot_download with hf_xet: the whole repo byte-identical, LFS files through Xet", async () => {
    let r: Result | undefined;
    const delta = await counting(async () => {
      r = await ok(
        { op: "snapshot_download", repo_id: "alice/xet", cache_dir: join(work.path, "snap") },
        xetEnv(),
      );
    });
    const files = r!.files as Record<string, string>;
    for (const [p, data] of Object.entries(FILES)) assert.equal(files[p], sha256(data), p);
    assert.equal(delta["hf.xet-reconstruction"], LFS.length);
    assert.equal(delta["hf.object"] ?? 0, 0);
  });

  it("falls back to v1 reconstructions when v2 answers 404, as hf_xet does", async () => {
    await hub.fault({ path: "/v2/reconstructions/", kind: "status", status: 404, times: 50 });
    try {
      const r = await ok(
        {
          op: "hf_hub_download",
          repo_id: "alice/xet",
          filename: "big.bin",
          cache_dir: join(work.path, "v1"),
        },
        xetEnv(),
      );
      assert.equal(r.sha256, sha256(FILES["big.bin"]!));
      const hits = (await hub.faultRules()).reduce((n, rule) => n + rule.hits, 0);
      assert.ok(hits >= 1, "v2 was asked and refused");
    } finally {
      await hub.clearFaults();
    }
  });

  it("HF_HUB_DISABLE_XET=1 still downloads over plain LFS, byte-identical", async () => {
    let r: Result | undefined;
    const delta = await counting(async () => {
      r = await ok(
        {
          op: "hf_hub_download",
          repo_id: "alice/xet",
          filename: "big.bin",
          cache_dir: join(work.path, "plain"),
        },
        lfsEnv(),
      );
    });
    assert.equal(r!.sha256, sha256(FILES["big.bin"]!));
    assert.equal(delta["hf.xet-reconstruction"] ?? 0, 0);
    assert.equal(delta["hf.object"], 2, "HEAD and GET of the plain object");
  });

  it("@huggingface/hub downloadFile reads Xet files through XetBlob (whole and sliced), byte-identical", async () => {
    const delta = await counting(async () => {
      for (const path of LFS) {
        const blob = await downloadFile({
          repo: "alice/xet",
          path,
          hubUrl: hub.url,
          accessToken: USERS.alice.token,
        });
        assert.ok(blob);
        assert.equal(blob.constructor.name, "XetBlob", path);
        assert.equal(sha256(Buffer.from(await blob.arrayBuffer())), sha256(FILES[path]!), path);
      }
      const big = await downloadFile({
        repo: "alice/xet",
        path: "big.bin",
        hubUrl: hub.url,
        accessToken: USERS.alice.token,
      });
      const part = Buffer.from(await big!.slice(123_456, 456_789).arrayBuffer());
      assert.ok(part.equals(FILES["big.bin"]!.subarray(123_456, 456_789)), "a ranged Xet read");
    });
    assert.ok((delta["hf.xet-reconstruction"] ?? 0) >= LFS.length + 1);
    assert.equal(delta["hf.object"] ?? 0, 0);
    const plain = await downloadFile({
      repo: "alice/xet",
      path: "big.bin",
      hubUrl: hub.url,
      accessToken: USERS.alice.token,
      xet: false,
    });
    assert.equal(
      sha256(Buffer.from(await plain!.arrayBuffer())),
      sha256(FILES["big.bin"]!),
      "xet: false still works",
    );
  });

  it("@huggingface/hub snapshotDownload fills its cache through Xet, byte-identical", async () => {
    const cacheDir = join(work.path, "js-cache");
    let dir = "";
    const delta = await counting(async () => {
      dir = await snapshotDownload({
        repo: "alice/xet",
        cacheDir,
        hubUrl: hub.url,
        accessToken: USERS.alice.token,
      });
    });
    for (const [p, data] of Object.entries(FILES))
      assert.equal(sha256(await readFile(join(dir, p))), sha256(data), p);
    assert.equal(delta["hf.xet-reconstruction"], LFS.length);
    assert.equal(delta["hf.object"] ?? 0, 0);
  });

  it("huggingface_hub with hf_xet on cannot upload LFS files (no xet-write-token here); HF_HUB_DISABLE_XET=1 can", async () => {
    const path = join(work.path, "new.bin");
    await writeFile(path, pseudoRandom(20_000, 3));
    const r = await py({ op: "upload_file", repo_id: "alice/xet", path, path_in_repo: "new.bin" }, xetEnv());
    assert.equal(r.ok, false);
    assert.equal(r.error, "ConnectionError");
    assert.match(String(r.message), /xet-write-token/);
    await ok({ op: "upload_file", repo_id: "alice/xet", path, path_in_repo: "new.bin" }, lfsEnv());
  });
});

describe("serve --no-xet", () => {
  it("serves LFS only: no Xet headers, no xetHash, no layout computed, and hf_xet clients fall back to HTTP", async () => {
    const plain = await startTestHub(["--no-xet"]);
    try {
      const env = hfXetClientEnv(plain.url, join(work.path, "noxet-home"), USERS.alice.token);
      const lfs = hfClientEnv(plain.url, join(work.path, "noxet-lfs"), USERS.alice.token);
      const folder = join(work.path, "noxet-src");
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, "big.bin"), FILES["big.bin"]!);
      await ok({ op: "create_repo", repo_id: "alice/plain" }, lfs);
      await ok({ op: "upload_folder", repo_id: "alice/plain", folder }, lfs);
      const head = await fetch(`${plain.url}/alice/plain/resolve/main/big.bin`, {
        method: "HEAD",
        redirect: "manual",
      });
      assert.equal(head.status, 302);
      assert.equal(head.headers.get("x-xet-hash"), null);
      await new Promise((r) => setTimeout(r, 500));
      const tree = (await (await fetch(`${plain.url}/api/models/alice/plain/tree/main`)).json()) as {
        xetHash?: string;
      }[];
      assert.ok(
        tree.every((e) => e.xetHash === undefined),
        "no xetHash listed",
      );
      assert.equal(existsSync(join(plain.root, "xet", "layouts")), false, "no layout computed");
      const r = await ok(
        {
          op: "hf_hub_download",
          repo_id: "alice/plain",
          filename: "big.bin",
          cache_dir: join(work.path, "noxet-cache"),
        },
        env,
      );
      assert.equal(r.sha256, sha256(FILES["big.bin"]!));
    } finally {
      await plain.stop();
    }
  });
});

describe("Xet access rules", () => {
  it("a read token for a private repo is for those who may read it", async () => {
    assert.equal((await readToken("alice/secret", USERS.bob.token)).status, 404);
    assert.equal((await readToken("alice/secret", null)).status, 401);
    const res = await readToken("alice/secret", USERS.alice.token);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { accessToken: string; exp: number; casUrl: string };
    assert.equal(
      res.headers.get("x-xet-access-token"),
      body.accessToken,
      "huggingface_hub reads the headers",
    );
    assert.equal(res.headers.get("x-xet-cas-url"), body.casUrl);
    assert.ok(body.exp > Date.now() / 1000);
  });

  it("a read token for a gated repo is for those granted access", async () => {
    await ok({ op: "create_repo", repo_id: "alice/gated" }, lfsEnv());
    const res = await fetch(`${hub.url}/api/models/alice/gated/settings`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${USERS.alice.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ gated: "manual" }),
    });
    assert.equal(res.status, 200, await res.text());
    assert.equal((await readToken("alice/gated", USERS.bob.token)).status, 403);
    assert.equal((await readToken("alice/gated", null)).status, 401);
    assert.equal((await readToken("alice/gated", USERS.alice.token)).status, 200);
  });

  it("a token for one repo does not reconstruct another repo's file, nor does a forged one", async () => {
    const secretHash = (await xetHashes("alice/secret", USERS.alice.token))["s.bin"]!;
    const publicHash = (await xetHashes("alice/xet", USERS.alice.token))["big.bin"]!;
    const pub = (await (await readToken("alice/xet", USERS.bob.token)).json()) as {
      accessToken: string;
      casUrl: string;
    };
    const recon = (hash: string, token: string) =>
      fetch(`${pub.casUrl}/v2/reconstructions/${hash}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal((await recon(publicHash, pub.accessToken)).status, 200);
    assert.equal((await recon(secretHash, pub.accessToken)).status, 404, "another repo's file");
    assert.equal((await recon(publicHash, `${pub.accessToken}x`)).status, 401, "a forged token");
    assert.equal((await recon(publicHash, USERS.alice.token)).status, 401, "a hub token is not a Xet token");
    assert.equal((await recon("zz", pub.accessToken)).status, 400, "a malformed file id");
    const past = await fetch(`${pub.casUrl}/v2/reconstructions/${publicHash}`, {
      headers: { Authorization: `Bearer ${pub.accessToken}`, Range: `bytes=${FILES["big.bin"]!.length}-` },
    });
    assert.equal(past.status, 416, "a range past the end");
    const own = (await (await readToken("alice/secret", USERS.alice.token)).json()) as {
      accessToken: string;
    };
    const answer = (await (await recon(secretHash, own.accessToken)).json()) as {
      xorbs: Record<string, { url: string }[]>;
    };
    const url = Object.values(answer.xorbs)[0]![0]!.url;
    assert.equal((await fetch(url)).status, 200, "the signed xorb URL reads");
    assert.equal((await fetch(url.replace(/sig=[^&]+/, "sig=0"))).status, 403, "an unsigned one does not");
  });
});
