import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { uploadFiles } from "@huggingface/hub";
import { eventsOf, runCli } from "../helpers/cli.js";
import { pseudoRandom, randomName, sha256 } from "../helpers/fixtures.js";
import { type HubPair, startHubPair, USERS } from "../helpers/local-hub.js";
import { runPython } from "../helpers/python.js";
import { seedHf } from "../helpers/seed.js";
import { ggufFile, pickleFile, safetensorsFile } from "../helpers/weights.js";

/**
 * `pull` over real HTTP from the local hubs into the Hugging Face cache, the ModelScope cache and
 * plain folders; every cache is read back OFFLINE by the official clients.
 */
let pair: HubPair;
const tag = randomName("pl");
const both = `alice/${tag}-both`;
const binOnly = `alice/${tag}-bin`;
const renamed = `alice/${tag}-renamed`;
const quant = `alice/${tag}-gguf`;
const data = `alice/${tag}-data`;

const bothFiles = {
  "README.md": Buffer.from("---\nlicense: mit\n---\n# both\n"),
  "config.json": Buffer.from('{"hidden_size": 8}'),
  "model.safetensors": safetensorsFile({ w: { dtype: "F32", shape: [64, 64] } }),
  "pytorch_model.bin": pickleFile(),
  "tokenizer.json": Buffer.from('{"version": "1.0"}'),
  "modeling_custom.py": Buffer.from("print('custom code')\n"),
  "nested/deep/vocab.txt": Buffer.from("a\nb\n"),
};

before(async () => {
  pair = await startHubPair("toolbox-pull");
  const url = pair.hf.url;
  const tok = USERS.alice.token;
  await seedHf(url, tok, { type: "model", name: both }, bothFiles);
  await seedHf(
    url,
    tok,
    { type: "model", name: binOnly },
    {
      "config.json": Buffer.from("{}"),
      "pytorch_model.bin": pickleFile(),
    },
  );
  await seedHf(
    url,
    tok,
    { type: "model", name: renamed },
    {
      "config.json": Buffer.from("{}"),
      "model.safetensors": pickleFile(70_000),
    },
  );
  await seedHf(
    url,
    tok,
    { type: "model", name: quant },
    {
      "model.Q4_K_M.gguf": ggufFile({ fileType: 15, tensorType: 12, tensors: [[8, 8]] }),
      "model.Q8_0.gguf": ggufFile({ fileType: 7, tensorType: 8, tensors: [[8, 8]] }),
    },
  );
  await seedHf(
    url,
    tok,
    { type: "dataset", name: data },
    {
      "README.md": Buffer.from("---\nlicense: mit\n---\n"),
      "data/train-00000-of-00001.parquet": Buffer.from("PAR1 train rows"),
      "data/test-00000-of-00001.parquet": Buffer.from("PAR1 test rows"),
    },
  );
});
after(async () => {
  await pair?.stop();
});

const home = (name: string) => join(pair.work.path, name);

async function pull(args: string[], extra: Record<string, string | undefined> = {}) {
  const run = await runCli(["pull", ...args, "--json"], pair.env(extra));
  assert.ok(!(run.stdout + run.stderr).includes(USERS.alice.token), "a token leaked");
  return run;
}

function ok<T extends { code: number | null; stderr: string; stdout: string }>(run: T): T {
  assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}${run.stdout.slice(-800)}`);
  return run;
}

async function hfRead(hfHome: string, repo: string, filename: string, repoType?: string) {
  const r = await runPython<{
    ok: boolean;
    error?: string;
    message?: string;
    path: string;
    files: Record<string, string>;
    one: string;
    cached: string;
    repos: { repo_id: string; size: number; nb_files: number; refs: string[] }[];
    warnings: string[];
  }>(
    "hf",
    "hf_client.py",
    { op: "cache_read", repo_id: repo, filename, repo_type: repoType },
    {
      HF_HOME: hfHome,
      HF_HUB_OFFLINE: "1",
      HF_ENDPOINT: "http://127.0.0.1:9",
      HF_HUB_DISABLE_TELEMETRY: "1",
    },
  );
  assert.equal(r.ok, true, `huggingface_hub offline: ${r.error}: ${r.message}`);
  return r;
}

describe("pull into the Hugging Face cache", () => {
  it("a repo with safetensors and pickle: the safe format only, read back offline by huggingface_hub", async () => {
    const hfHome = home("hf-both");
    const run = ok(await pull(["model", both], { HF_HOME: hfHome }));
    const plan = eventsOf(run, "plan")[0]!;
    const notes = (plan.notes as string[]).join("\n");
    assert.match(notes, /skipped 1 pickle file\(s\) \(pytorch_model.bin\)/);
    assert.match(notes, /modeling_custom.py/);
    const summary = eventsOf(run, "summary")[0]!;
    const py = await hfRead(hfHome, both, "config.json");
    const want = Object.fromEntries(
      Object.entries(bothFiles)
        .filter(([p]) => p !== "pytorch_model.bin" && p !== "modeling_custom.py")
        .map(([p, b]) => [p, sha256(b)]),
    );
    assert.deepEqual(
      Object.fromEntries(Object.entries(py.files).filter(([p]) => p !== ".gitattributes")),
      want,
    );
    assert.equal(py.path, summary.destinationUrl);
    assert.ok(py.cached.endsWith("config.json"));
    assert.deepEqual(py.warnings, []);
    const repo = py.repos.find((r) => r.repo_id === both)!;
    assert.deepEqual(repo.refs, ["main"]);
    assert.equal(repo.nb_files, Object.keys(want).length + 1);
  });

  it("a re-run downloads nothing; a new revision downloads only what changed", async () => {
    const hfHome = home("hf-both2");
    const rev = `alice/${tag}-rev`;
    await seedHf(pair.hf.url, USERS.alice.token, { type: "model", name: rev }, bothFiles);
    ok(await pull(["model", rev], { HF_HOME: hfHome }));
    const again = ok(await pull(["model", rev], { HF_HOME: hfHome }));
    assert.deepEqual(eventsOf(again, "plan")[0]!.copy, []);
    assert.equal(eventsOf(again, "file_start").length, 0);
    await uploadFiles({
      repo: { type: "model", name: rev },
      accessToken: USERS.alice.token,
      hubUrl: pair.hf.url,
      useXet: false,
      files: [{ path: "config.json", content: new Blob(['{"hidden_size": 16}']) }],
    });
    const next = ok(await pull(["model", rev], { HF_HOME: hfHome }));
    assert.deepEqual(
      (eventsOf(next, "plan")[0]!.copy as { path: string }[]).map((f) => f.path),
      ["config.json"],
    );
    const py = await hfRead(hfHome, rev, "config.json");
    assert.deepEqual(py.repos.find((r) => r.repo_id === rev)!.refs, ["main"]);
    assert.equal(py.files["config.json"], sha256(Buffer.from('{"hidden_size": 16}')));
    assert.equal(py.files["model.safetensors"], sha256(bothFiles["model.safetensors"]));
  });

  it("only .bin weights: refused with exit 5 and nothing cached; --allow-unsafe fetches them", async () => {
    const hfHome = home("hf-bin");
    const refused = await pull(["model", binOnly], { HF_HOME: hfHome });
    assert.equal(refused.code, 5);
    assert.match(refused.stderr, /pytorch_model.bin are pickle-based weights/);
    assert.match(refused.stderr, /--allow-unsafe/);
    assert.equal(existsSync(join(hfHome, "hub")), false, "nothing was written");
    ok(await pull(["model", binOnly, "--allow-unsafe"], { HF_HOME: hfHome }));
    const py = await hfRead(hfHome, binOnly, "pytorch_model.bin");
    assert.equal(py.files["pytorch_model.bin"], sha256(pickleFile()));
  });

  it("a pickle renamed .safetensors is refused by its content; no blob of it is kept", async () => {
    const hfHome = home("hf-renamed");
    const run = await pull(["model", renamed], { HF_HOME: hfHome });
    assert.equal(run.code, 5, run.stderr);
    assert.match(run.stderr, /model.safetensors is a pickle/);
    const blobs = await readdir(join(hfHome, "hub", `models--alice--${tag}-renamed`, "blobs"));
    assert.ok(!blobs.includes(sha256(pickleFile(70_000))), "the pickle's bytes were not kept");
    assert.ok(!blobs.some((b) => b.endsWith(".incomplete")));
    assert.equal(existsSync(join(hfHome, "hub", `models--alice--${tag}-renamed`, "refs", "main")), false);
  });

  it("GGUF: --quantization picks the file; without it Q4_K_M is picked and said", async () => {
    const hfHome = home("hf-gguf");
    const q8 = ok(await pull(["model", quant, "--quantization", "q8_0", "--dry-run"], { HF_HOME: hfHome }));
    assert.deepEqual(
      (eventsOf(q8, "plan")[0]!.copy as { path: string }[])
        .map((f) => f.path)
        .filter((p) => p.endsWith(".gguf")),
      ["model.Q8_0.gguf"],
    );
    const def = ok(await pull(["model", quant], { HF_HOME: hfHome }));
    assert.match((eventsOf(def, "plan")[0]!.notes as string[]).join(), /picked GGUF Q4_K_M of Q4_K_M, Q8_0/);
    const py = await hfRead(hfHome, quant, "model.Q4_K_M.gguf");
    assert.deepEqual(
      Object.keys(py.files).filter((p) => p.endsWith(".gguf")),
      ["model.Q4_K_M.gguf"],
    );
    const none = await pull(["model", quant, "--quantization", "Q2_K"], { HF_HOME: hfHome });
    assert.equal(none.code, 4);
    assert.match(none.stderr, /no GGUF file is quantised Q2_K/);
  });

  it("datasets: --split train; pull files: chosen paths only", async () => {
    const hfHome = home("hf-data");
    ok(await pull(["dataset", data, "--split", "train"], { HF_HOME: hfHome }));
    const py = await hfRead(hfHome, data, "README.md", "dataset");
    assert.ok(py.files["data/train-00000-of-00001.parquet"]);
    assert.equal(py.files["data/test-00000-of-00001.parquet"], undefined);
    const files = ok(
      await pull(["files", both, "config.json", "nested/deep/vocab.txt"], { HF_HOME: home("hf-files") }),
    );
    assert.deepEqual(
      eventsOf(files, "file_done")
        .map((e) => e.path)
        .sort(),
      ["config.json", "nested/deep/vocab.txt"],
    );
    const missing = await pull(["files", both, "nope.json"], { HF_HOME: home("hf-files") });
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /not in the repo: nope.json/);
  });

  it("HF_HUB_OFFLINE=1 serves from the cache and names what is missing", async () => {
    const hfHome = home("hf-both");
    const off = await runCli(["pull", "model", both], {
      ...pair.env({ HF_HOME: hfHome, HF_HUB_OFFLINE: "1" }),
      HF_ENDPOINT: "http://127.0.0.1:9",
    });
    ok(off);
    assert.match(off.stdout.trim(), /snapshots\/[0-9a-f]{40}$/);
    const miss = await runCli(["pull", "files", both, "config.json", "pytorch_model.bin"], {
      ...pair.env({ HF_HOME: hfHome, HF_HUB_OFFLINE: "1" }),
    });
    assert.equal(miss.code, 4);
    assert.match(miss.stderr, /lacks: pytorch_model.bin/);
    assert.match(miss.stderr, /unset HF_HUB_OFFLINE/);
    const absent = await runCli(
      ["pull", "model", binOnly],
      pair.env({ HF_HOME: home("hf-empty"), HF_HUB_OFFLINE: "1" }),
    );
    assert.equal(absent.code, 4);
    assert.match(absent.stderr, /is not in the cache/);
  });
});

describe("pull from ModelScope into its cache", () => {
  it("both modelscope generations read the cache offline, dotted names included", async () => {
    const msId = `alice/${tag}-v1.5`;
    ok(await runCli(["migrate", `hf:${both}`, `ms:${msId}`, "--yes", "--json"], pair.env()));
    const cache = home("ms-cache");
    const run = ok(await pull(["model", `ms:${msId}`], { MODELSCOPE_CACHE: cache }));
    const path = String(eventsOf(run, "summary")[0]!.destinationUrl);
    assert.equal(path, join(cache, "models", "alice", `${tag}-v1___5`));
    const want = Object.fromEntries(
      Object.entries(bothFiles)
        .filter(([p]) => p !== "pytorch_model.bin" && p !== "modeling_custom.py")
        .map(([p, b]) => [p, sha256(b)]),
    );
    for (const venv of ["ms137", "msnew"]) {
      const r = await runPython<{
        ok: boolean;
        error?: string;
        message?: string;
        path: string;
        files: Record<string, string>;
      }>(
        venv,
        "ms_client.py",
        { op: "cache_read", repo_id: msId },
        { MODELSCOPE_CACHE: cache, HOME: home(`ms-home-${venv}`), MODELSCOPE_DOMAIN: "127.0.0.1:9" },
      );
      assert.equal(r.ok, true, `${venv}: ${r.error}: ${r.message}`);
      assert.equal(r.path.replace(/\/$/, ""), path);
      assert.deepEqual(
        Object.fromEntries(Object.entries(r.files).filter(([p]) => p !== ".gitattributes")),
        want,
        venv,
      );
    }
    const again = ok(await pull(["model", `ms:${msId}`], { MODELSCOPE_CACHE: cache }));
    assert.deepEqual(eventsOf(again, "plan")[0]!.copy, []);
  });
});

describe("pull --output and resume", () => {
  it("--output DIR: a plain folder, byte-identical; a re-run verifies and skips", async () => {
    const out = home("out-both");
    ok(await pull(["model", both, "--output", out]));
    for (const p of ["config.json", "model.safetensors", "nested/deep/vocab.txt"])
      assert.deepEqual(await readFile(join(out, p)), bothFiles[p as keyof typeof bothFiles]);
    assert.equal(existsSync(join(out, "pytorch_model.bin")), false);
    assert.equal(existsSync(join(out, ".hubferry-partial")), false);
    const again = ok(await pull(["model", both, "--output", out]));
    assert.deepEqual(eventsOf(again, "plan")[0]!.copy, []);
  });

  it("a pull cut mid-file resumes with a ranged read on the next run", async () => {
    const big = `alice/${tag}-big`;
    const content = pseudoRandom(3 * 1024 * 1024 + 17, 77);
    await seedHf(
      pair.hf.url,
      USERS.alice.token,
      { type: "model", name: big },
      {
        "model.safetensors": Buffer.concat([
          safetensorsFile({ w: { dtype: "U8", shape: [8] } }).subarray(0, 8 + 48),
          content,
        ]),
      },
    );
    const hfHome = home("hf-resume");
    // The connection ends after 1 MiB, and the process is killed while it waits to retry. A clean
    // end, not a reset: a reset lets the kernel drop unread bytes, so a slow client may keep none.
    await pair.hf.fault({ route: "hf.object", kind: "truncate", afterBytes: 1024 * 1024, times: 1 });
    const cut = await runCli(["pull", "model", big, "--json"], pair.env({ HF_HOME: hfHome }), {
      onEvent: (e, kill) => {
        if (e.event === "retry") kill();
      },
    });
    await pair.hf.clearFaults();
    assert.equal(cut.code, null, "the first run was killed mid-file");
    const blobs = join(hfHome, "hub", `models--alice--${tag}-big`, "blobs");
    const partial = (await readdir(blobs)).find((b) => b.endsWith(".incomplete"));
    assert.ok(partial, "a partial download was kept");
    // What was written before the kill is kept: some of the 1 MiB, maybe not all (the kill lands
    // as soon as the retry is announced, while the HTTP client may still hold bytes it read).
    const kept = (await stat(join(blobs, partial))).size;
    assert.ok(kept > 0 && kept <= 1024 * 1024, `kept ${kept} bytes`);
    const resumed = ok(await pull(["model", big], { HF_HOME: hfHome }));
    const done = eventsOf(resumed, "file_done").find((e) => e.path === "model.safetensors")!;
    assert.equal(done.resumedFrom, kept, "the second run asked only for the bytes after those");
    const py = await hfRead(hfHome, big, "model.safetensors");
    assert.ok(py.files["model.safetensors"]);
  });
});

describe("pull verifies every byte", () => {
  it("corrupted bytes are never kept: one bad read is retried, a source that stays bad fails the pull", async () => {
    const hfHome = home("hf-corrupt");
    const bin = bothFiles["model.safetensors"];
    await pair.hf.fault({ route: "hf.object", kind: "corrupt", afterBytes: 1000, times: 1 });
    const healed = ok(await pull(["files", both, "model.safetensors"], { HF_HOME: hfHome }));
    await pair.hf.clearFaults();
    assert.ok(
      eventsOf(healed, "retry").some((e) => String(e.reason).includes("do not match")),
      "the bad read was noticed and retried",
    );
    const py = await hfRead(hfHome, both, "model.safetensors");
    assert.equal(py.files["model.safetensors"], sha256(bin));

    const badHome = home("hf-corrupt-always");
    await pair.hf.fault({ route: "hf.object", kind: "corrupt", afterBytes: 1000, times: 100 });
    const failed = await pull(["files", both, "model.safetensors"], { HF_HOME: badHome });
    await pair.hf.clearFaults();
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /do not match the hash the hub publishes/);
    const repoDir = join(badHome, "hub", `models--alice--${tag}-both`);
    assert.deepEqual(await readdir(join(repoDir, "blobs")).catch(() => []), [], "no bytes kept");
    assert.equal(existsSync(join(repoDir, "refs", "main")), false);
  });
});

describe("malicious listings", () => {
  let evil: Server;
  let evilUrl: string;
  const sha = "a".repeat(40);
  const entries = [
    { path: "../escape.txt", body: "escaped" },
    { path: "/etc/abs.txt", body: "absolute" },
    { path: "shadow", body: "a file" },
    { path: "shadow/inner.txt", body: "a file under a file" },
    { path: "good.json", body: "{}" },
  ];
  before(async () => {
    // A hostile hub: its listing tries to write outside the target.
    evil = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      res.setHeader("content-type", "application/json");
      if (url.pathname === "/api/models/mallory/evil") {
        res.end(JSON.stringify({ id: "mallory/evil", sha, private: false }));
      } else if (url.pathname.startsWith(`/api/models/mallory/evil/tree/${sha}`)) {
        res.end(
          JSON.stringify(
            entries.map((e) => ({
              type: "file",
              path: e.path,
              size: e.body.length,
              oid: require1(e.body),
            })),
          ),
        );
      } else if (url.pathname.startsWith(`/mallory/evil/resolve/${sha}/`)) {
        const path = decodeURIComponent(url.pathname.slice(`/mallory/evil/resolve/${sha}/`.length));
        const e = entries.find((x) => x.path === path || x.path === `/${path}`);
        res.setHeader("content-type", "application/octet-stream");
        res.end(e?.body ?? "");
      } else {
        res.statusCode = 404;
        res.end("{}");
      }
    });
    await new Promise<void>((r) => evil.listen(0, "127.0.0.1", r));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => evil.close(() => r())));

  it("../, absolute paths and a file named like a folder are refused; nothing lands outside", async () => {
    const root = home("evil");
    const out = join(root, "target");
    await mkdir(root, { recursive: true });
    await writeFile(join(root, "sentinel"), "untouched");
    const run = ok(
      await runCli(["pull", "model", "mallory/evil", "--output", out, "--json"], {
        ...pair.env({ HF_ENDPOINT: evilUrl, HF_TOKEN: undefined }),
      }),
    );
    const plan = eventsOf(run, "plan")[0]!;
    const refused = (plan.refused as { path: string }[]).map((r) => r.path).sort();
    assert.deepEqual(refused, ["../escape.txt", "/etc/abs.txt", "shadow", "shadow/inner.txt"].sort());
    assert.deepEqual(await readdir(root), ["sentinel", "target"]);
    assert.deepEqual(await readdir(out), ["good.json"]);
    assert.equal(existsSync("/etc/abs.txt"), false);
  });
});

import { createHash } from "node:crypto";

function require1(body: string): string {
  return createHash("sha1")
    .update(`blob ${Buffer.byteLength(body)}\0`)
    .update(body)
    .digest("hex");
}
