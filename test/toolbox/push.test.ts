import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventsOf, runCli } from "../helpers/cli.js";
import { randomName, readTree, sha256, treeDiff, writeFixture } from "../helpers/fixtures.js";
import { CLI, type HubPair, startHubPair, USERS } from "../helpers/local-hub.js";
import { runPython } from "../helpers/python.js";
import { pickleFile, safetensorsFile } from "../helpers/weights.js";

/**
 * `push` to the local hubs over real HTTP; what it published is read back by the OFFICIAL clients.
 */
let pair: HubPair;
const tag = randomName("ps");

before(async () => {
  pair = await startHubPair("toolbox-push");
});
after(async () => {
  await pair?.stop();
});

const dir = (name: string) => join(pair.work.path, name);

async function push(args: string[], extra: Record<string, string | undefined> = {}) {
  const run = await runCli(["push", ...args, "--json"], pair.env(extra));
  for (const t of [USERS.alice.token, USERS.alice.msToken])
    assert.ok(!(run.stdout + run.stderr).includes(t), "a token leaked");
  return run;
}

function ok<T extends { code: number | null; stderr: string; stdout: string }>(run: T): T {
  assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}${run.stdout.slice(-800)}`);
  return run;
}

async function hfPy(args: Record<string, unknown>) {
  const r = await runPython<Record<string, unknown> & { ok: boolean; error?: string; message?: string }>(
    "hf",
    "hf_client.py",
    args,
    {
      HF_ENDPOINT: pair.hf.url,
      HF_TOKEN: USERS.alice.token,
      HF_HOME: dir(`hfpy-${randomName("h")}`),
      HF_HUB_DISABLE_XET: "1",
    },
  );
  return r;
}

const model = {
  "config.json": Buffer.from('{"model_type": "bert"}'),
  "model.safetensors": safetensorsFile({ w: { dtype: "F32", shape: [128, 128] } }),
  "tokenizer/vocab.txt": Buffer.from("a\nb\n"),
};

describe("push", () => {
  const id = `alice/${tag}-model`;

  it("creates the repo, generates a card with YAML metadata, and the official client reads it all back", async () => {
    const folder = dir("model");
    await writeFixture(folder, { files: model });
    await mkdir(join(folder, ".git"), { recursive: true });
    await writeFile(join(folder, ".git", "HEAD"), "ref: refs/heads/main\n");
    const run = ok(
      await push([
        "model",
        folder,
        "--repo",
        id,
        "--license",
        "apache-2.0",
        "--tag",
        "demo",
        "--base-model",
        "acme/base",
      ]),
    );
    assert.match(
      (eventsOf(run, "plan")[0]!.notes as string[]).join(),
      /a card with YAML metadata was generated/,
    );
    const info = await hfPy({ op: "repo_info", repo_id: id });
    assert.equal(info.ok, true, String(info.message));
    const card = info.card_data as Record<string, unknown>;
    assert.equal(card.license, "apache-2.0");
    assert.equal(card.library_name, "transformers");
    assert.equal(card.base_model, "acme/base");
    assert.deepEqual(card.tags, ["demo", "safetensors"]);
    const snap = await hfPy({ op: "snapshot_download", repo_id: id });
    const tree = await readTree(String(snap.path), (p) => p === ".gitattributes");
    assert.deepEqual(
      treeDiff({ ...model, "README.md": tree["README.md"]! }, tree),
      [],
      "byte-identical, no .git",
    );
    assert.match(tree["README.md"]!.toString(), /^---\nlicense: apache-2.0\n/);
  });

  it("uploads only what differs: nothing on a re-run, one file after one change", async () => {
    const folder = dir("model");
    const again = ok(await push(["model", folder, "--repo", id]));
    assert.deepEqual(eventsOf(again, "plan")[0]!.copy, []);
    assert.equal(eventsOf(again, "commit").length, 0);
    await writeFile(join(folder, "config.json"), '{"model_type": "bert", "layers": 2}');
    const changed = ok(await push(["model", folder, "--repo", id]));
    const copied = (eventsOf(changed, "plan")[0]!.copy as { path: string }[]).map((f) => f.path);
    // The generated card is not rewritten when the remote already has one from the same facts.
    assert.deepEqual(
      copied.filter((p) => p !== "README.md"),
      ["config.json"],
    );
    const snap = await hfPy({ op: "snapshot_download", repo_id: id });
    const tree = await readTree(String(snap.path));
    assert.equal(tree["config.json"]!.toString(), '{"model_type": "bert", "layers": 2}');
  });

  it("refuses planted secrets with file and line, and publishes nothing", async () => {
    const folder = dir("leaky");
    const hfToken = `hf_${"Ab3".repeat(12)}`;
    const awsKey = `AKIA${"QWERTYUIOPASDFGH"}`;
    await writeFixture(folder, {
      files: {
        "config.json": Buffer.from("{}"),
        ".env": Buffer.from("DEBUG=1\n"),
        "train.py": Buffer.from(`import os\n\nTOKEN = "${hfToken}"\n`),
        "notes/aws.txt": Buffer.from(`key: ${awsKey}\n`),
        "keys/deploy.txt": Buffer.from(
          "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n",
        ),
        id_rsa: Buffer.from("x"),
      },
    });
    const leakId = `alice/${tag}-leaky`;
    const run = await push(["model", folder, "--repo", leakId]);
    assert.equal(run.code, 5, run.stderr);
    for (const where of [
      /train.py:3\s+Hugging Face token/,
      /notes\/aws.txt:1\s+AWS access key id/,
      /keys\/deploy.txt:1\s+private key block/,
      /\.env\s+dotenv file/,
      /id_rsa\s+SSH private key/,
    ])
      assert.match(run.stderr, where);
    assert.ok(!run.stderr.includes(hfToken), "the secret itself is not printed");
    const info = await hfPy({ op: "repo_info", repo_id: leakId });
    assert.equal(info.error, "RepositoryNotFoundError", "nothing was created");
    const excluded = ok(
      await push([
        "model",
        folder,
        "--repo",
        leakId,
        "--exclude",
        ".env",
        "--exclude",
        "train.py",
        "--exclude",
        "notes/**",
        "--exclude",
        "keys/**",
        "--exclude",
        "id_rsa",
      ]),
    );
    assert.ok(eventsOf(excluded, "summary").length === 1);
  });

  it("warns about pickle files it would publish, by name and by content", async () => {
    const folder = dir("pickly");
    await writeFixture(folder, {
      files: { "pytorch_model.bin": pickleFile(), "weights.safetensors": pickleFile(100) },
    });
    const run = ok(await push(["model", folder, "--repo", `alice/${tag}-pickly`, "--dry-run"]));
    const notes = (eventsOf(run, "plan")[0]!.notes as string[]).join("\n");
    assert.match(
      notes,
      /warning: 2 pickle file\(s\) would be published \(pytorch_model.bin, weights.safetensors \(a pickle by its content\)\)/,
    );
    const info = await hfPy({ op: "repo_info", repo_id: `alice/${tag}-pickly` });
    assert.equal(info.error, "RepositoryNotFoundError", "a dry run creates nothing");
  });

  it("spaces with --sdk, datasets, and ModelScope (ms: prefix), read back by the official clients", async () => {
    const app = dir("app");
    await writeFixture(app, { files: { "app.py": Buffer.from("import gradio as gr\n") } });
    ok(await push(["space", app, "--repo", `alice/${tag}-app`, "--sdk", "gradio"]));
    const space = await hfPy({ op: "repo_info", repo_id: `alice/${tag}-app`, repo_type: "space" });
    assert.equal(space.sdk, "gradio");

    const data = dir("data");
    const rows = {
      "data/train.csv": Buffer.from("a,b\n1,2\n"),
      "README.md": Buffer.from("---\nlicense: mit\n---\n"),
    };
    await writeFixture(data, { files: rows });
    ok(await push(["dataset", data, "--repo", `alice/${tag}-data`]));
    const ds = await hfPy({ op: "snapshot_download", repo_id: `alice/${tag}-data`, repo_type: "dataset" });
    assert.deepEqual(treeDiff(rows, await readTree(String(ds.path), (p) => p === ".gitattributes")), []);

    const msId = `alice/${tag}-ms`;
    ok(await push(["model", dir("model"), "--repo", `ms:${msId}`, "--license", "mit"]));
    const r = await runPython<{ ok: boolean; error?: string; message?: string; path: string }>(
      "msnew",
      "ms_client.py",
      { op: "snapshot_download", repo_id: msId, endpoint: pair.ms.url, cache_dir: dir("ms-dl") },
      {
        HOME: dir("mspy"),
        MODELSCOPE_API_TOKEN: USERS.alice.msToken,
        MODELSCOPE_DOWNLOAD_INTRA_CLOUD: "false",
      },
    );
    assert.equal(r.ok, true, `${r.error}: ${r.message}`);
    const got = await readTree(
      r.path,
      (p) => p === ".gitattributes" || /^\.(msc|mdl|mv)$/.test(p) || p.startsWith("._"),
    );
    assert.equal(sha256(got["model.safetensors"]!), sha256(model["model.safetensors"]));
    assert.match(got["README.md"]!.toString(), /^---\nlicense: mit\n/);
  });

  it("--interactive shows the plan and asks in a terminal: no publishes nothing, yes publishes", async () => {
    const id = `alice/${tag}-asked`;
    const answer = (reply: string) =>
      new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        // `script` gives the CLI a real terminal, as a person would have.
        const child = spawn(
          "script",
          [
            "-qec",
            `${process.execPath} ${CLI} push model ${dir("model")} --repo ${id} --interactive`,
            "/dev/null",
          ],
          { env: { ...pair.env(), TERM: "dumb" }, stdio: ["pipe", "pipe", "pipe"] },
        );
        let out = "";
        let answered = false;
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(new Error(`no prompt seen:\n${out}`));
        }, 60_000);
        child.stdout.on("data", (d: Buffer) => {
          out += d;
          if (!answered && /Publish \d+ file\(s\)/.test(out)) {
            answered = true;
            child.stdin.write(`${reply}\r`);
          }
        });
        child.on("close", (code) => {
          clearTimeout(timer);
          resolve({ code, out });
        });
      });
    const no = await answer("n");
    assert.equal(no.code, 2, no.out);
    assert.match(no.out, /to copy:/);
    assert.equal((await hfPy({ op: "repo_info", repo_id: id })).error, "RepositoryNotFoundError");
    const yes = await answer("y");
    assert.equal(yes.code, 0, yes.out);
    assert.equal((await hfPy({ op: "repo_info", repo_id: id })).ok, true);
  });

  it("bad input: a missing folder, --sdk on a model, --interactive without a terminal", async () => {
    const missing = await push(["model", dir("nope"), "--repo", `alice/${tag}-x`]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /is not a folder/);
    const sdk = await push(["model", dir("model"), "--repo", `alice/${tag}-x`, "--sdk", "gradio"]);
    assert.equal(sdk.code, 2);
    assert.match(sdk.stderr, /--sdk is for spaces/);
    const inter = await push(["model", dir("model"), "--repo", `alice/${tag}-x`, "--interactive"]);
    assert.equal(inter.code, 2);
    assert.match(inter.stderr, /--interactive needs a terminal/);
  });
});
