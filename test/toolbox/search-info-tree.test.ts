import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";
import { randomName } from "../helpers/fixtures.js";
import { type HubPair, startHubPair, USERS } from "../helpers/local-hub.js";
import { runPython } from "../helpers/python.js";
import { seedHf } from "../helpers/seed.js";
import { ggufFile, pickleFile, safetensorsFile } from "../helpers/weights.js";

/**
 * `search`, `info` and `tree` against the local hubs over real HTTP, on repos the official
 * clients wrote: real safetensors and GGUF headers, read by range.
 */
let pair: HubPair;
const tag = randomName("tb");
const llm = `alice/${tag}-llm`;
const gguf = `alice/${tag}-gguf`;
const data = `acme/${tag}-data`;
const space = `alice/${tag}-app`;
const hidden = `bob/${tag}-secret`;

before(async () => {
  pair = await startHubPair("toolbox-query");
  const url = pair.hf.url;
  const tok = USERS.alice.token;
  await seedHf(
    url,
    tok,
    { type: "model", name: llm },
    {
      "README.md": Buffer.from(
        "---\nlicense: mit\nlibrary_name: transformers\npipeline_tag: text-generation\nlanguage: en\nbase_model: acme/base\n---\n# LLM\n",
      ),
      "config.json": Buffer.from('{"hidden_size": 8}'),
      "model-00001-of-00002.safetensors": safetensorsFile({
        "a.weight": { dtype: "BF16", shape: [4, 8] },
        "a.bias": { dtype: "F32", shape: [8] },
      }),
      "model-00002-of-00002.safetensors": safetensorsFile({ "b.weight": { dtype: "BF16", shape: [16, 16] } }),
      "pytorch_model.bin": pickleFile(),
      "sub/dir/notes.txt": Buffer.from("hello\n"),
    },
  );
  await seedHf(
    url,
    tok,
    { type: "model", name: gguf },
    {
      "README.md": Buffer.from("---\nlicense: apache-2.0\nlibrary_name: gguf\n---\n"),
      "model.Q4_K_M.gguf": ggufFile({ fileType: 15, tensorType: 12, tensors: [[32, 4], [32]], vocab: 300 }),
      "model.Q8_0.gguf": ggufFile({ fileType: 7, tensorType: 8, tensors: [[32, 4], [32]] }),
    },
  );
  await seedHf(
    url,
    tok,
    { type: "dataset", name: data },
    {
      "README.md": Buffer.from(
        "---\nlicense: cc-by-4.0\nlanguage: fr\nsize_categories: 1K<n<10K\ntask_categories: translation\n---\n",
      ),
      "data/train-00000-of-00001.parquet": Buffer.from("PAR1train"),
      "data/test-00000-of-00001.parquet": Buffer.from("PAR1test"),
    },
  );
  await seedHf(
    url,
    tok,
    { type: "space", name: space },
    { "app.py": Buffer.from("import gradio\n") },
    { sdk: "gradio" },
  );
  await seedHf(
    url,
    USERS.bob.token,
    { type: "model", name: hidden },
    { "a.txt": Buffer.from("x") },
    { private: true },
  );
});
after(async () => {
  await pair?.stop();
});

async function cli(args: string[], extra: Record<string, string | undefined> = {}) {
  const run = await runCli(args, pair.env(extra));
  for (const t of [USERS.alice.token, USERS.alice.msToken])
    assert.ok(!(run.stdout + run.stderr).includes(t), "a token leaked");
  return run;
}

function ok(run: { code: number | null; stderr: string; stdout: string }) {
  assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}${run.stdout.slice(-500)}`);
  return run;
}

describe("search", () => {
  it("models by text, task, library and language, as a table and as JSON", async () => {
    const table = ok(
      await cli(["search", "models", tag, "--task", "text-generation", "--library", "transformers"]),
    );
    assert.match(table.stdout, new RegExp(`hf:${llm}\\s`));
    assert.doesNotMatch(table.stdout, new RegExp(gguf));
    assert.match(table.stdout, /text-generation/);
    assert.match(table.stdout.split("\n")[0]!, /id\s+downloads\s+likes\s+updated\s+task/);
    const json = JSON.parse(ok(await cli(["search", "models", tag, "--json"])).stdout) as { id: string }[];
    assert.deepEqual(json.map((h) => h.id).sort(), [gguf, llm].sort());
    const en = JSON.parse(ok(await cli(["search", "models", tag, "--language", "en", "--json"])).stdout);
    assert.deepEqual(
      en.map((h: { id: string }) => h.id),
      [llm],
    );
  });

  it("datasets by size category and language; spaces by sdk; private repos stay hidden", async () => {
    const ds = JSON.parse(
      ok(await cli(["search", "datasets", tag, "--size", "1K<n<10K", "--language", "fr", "--json"])).stdout,
    );
    assert.deepEqual(
      ds.map((h: { id: string }) => h.id),
      [data],
    );
    const none = JSON.parse(ok(await cli(["search", "datasets", tag, "--size", "n>1T", "--json"])).stdout);
    assert.deepEqual(none, []);
    const sp = JSON.parse(ok(await cli(["search", "spaces", tag, "--sdk", "gradio", "--json"])).stdout);
    assert.deepEqual(
      sp.map((h: { id: string }) => h.id),
      [space],
    );
    const all = ok(await cli(["search", "models", tag, "--author", "bob"]));
    assert.match(all.stdout, /no models found/);
  });

  it("--limit and --sort are honoured; a bad kind or sort is a clear usage error", async () => {
    const one = JSON.parse(
      ok(await cli(["search", "models", tag, "--limit", "1", "--sort", "likes", "--json"])).stdout,
    );
    assert.equal(one.length, 1);
    const bad = await cli(["search", "widgets", "x"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"widgets" is not a repo kind/);
    const badSort = await cli(["search", "models", "--sort", "stars"]);
    assert.notEqual(badSort.code, 0);
    assert.match(badSort.stderr, /stars/);
  });

  it("searches ModelScope with --hub ms (a repo migrated there is found)", async () => {
    ok(await cli(["migrate", `hf:${llm}`, "--to", "ms", "--yes", "--json"]));
    const hits = JSON.parse(ok(await cli(["search", "models", tag, "--hub", "ms", "--json"])).stdout);
    assert.deepEqual(
      hits.map((h: { id: string; hub: string }) => `${h.hub}:${h.id}`),
      [`ms:${llm}`],
    );
    const info = JSON.parse(ok(await cli(["info", "model", `ms:${llm}`, "--json"])).stdout);
    assert.equal(info.repo, `ms:${llm}`);
    assert.equal(info.formats.safetensors, 2);
    assert.equal(
      info.safetensors.parameters,
      4 * 8 + 8 + 16 * 16,
      "headers read by range from ModelScope too",
    );
    assert.equal(info.details.card.base_model, "acme/base");
    const tree = ok(await cli(["tree", `ms:${llm}`])).stdout;
    assert.match(tree, /model-00001-of-00002.safetensors\s+\d+ B\s+LFS\s+safe/);
  });
});

describe("info", () => {
  it("reports files, formats, license, card and the safetensors headers summed over shards", async () => {
    const r = JSON.parse(ok(await cli(["info", "model", llm, "--json"])).stdout);
    assert.equal(r.details.license, "mit");
    assert.equal(r.details.private, false);
    assert.equal(r.details.gated, false);
    assert.match(r.details.sha, /^[0-9a-f]{40}$/);
    assert.equal(r.details.card.base_model, "acme/base");
    assert.equal(r.formats.safetensors, 2);
    assert.equal(r.formats.pickle, 1);
    assert.deepEqual(r.safetensors, {
      tensors: 3,
      parameters: 4 * 8 + 8 + 16 * 16,
      dtypes: { BF16: 2, F32: 1 },
    });
    const bin = r.files.find((f: { path: string }) => f.path === "pytorch_model.bin");
    assert.equal(bin.safety, "pickle");
    const human = ok(await cli(["info", "model", `hf:${llm}`])).stdout;
    assert.match(human, /license:\s+mit/);
    assert.match(human, /pickle \(1 file\(s\): pull refuses them unless --allow-unsafe\)/);
    assert.match(human, /3 tensors, 296 parameters/);
  });

  it("reads GGUF headers by range: quantisation, architecture, tensors, parameters", async () => {
    const before = await pair.hf.stats();
    const r = JSON.parse(ok(await cli(["info", "model", gguf, "--json"])).stdout);
    assert.deepEqual(r.formats.gguf, ["Q4_K_M", "Q8_0"]);
    const q4 = r.weights.find((w: { path: string }) => w.path === "model.Q4_K_M.gguf").facts;
    assert.equal(q4.quantization, "Q4_K_M");
    assert.equal(q4.architecture, "llama");
    assert.equal(q4.tensors, 2);
    assert.equal(q4.parameters, 32 * 4 + 32);
    assert.deepEqual(q4.dtypes, { Q4_K: 2 });
    const afterStats = await pair.hf.stats();
    assert.ok(Object.keys(afterStats).length >= Object.keys(before).length);
  });

  it("a pickle renamed .safetensors is named as such; missing and private repos exit 4", async () => {
    const evil = `alice/${tag}-renamed`;
    await seedHf(
      pair.hf.url,
      USERS.alice.token,
      { type: "model", name: evil },
      {
        "model.safetensors": pickleFile(),
      },
    );
    const r = JSON.parse(ok(await cli(["info", "model", evil, "--json"])).stdout);
    assert.match(r.weights[0].error, /is a pickle/);
    assert.equal(r.files.find((f: { path: string }) => f.path === "model.safetensors").safety, "pickle");
    // The same verdict, from the bytes, in tree (pull refuses it: test/toolbox/pull.test.ts).
    const tree = ok(await cli(["tree", evil])).stdout;
    assert.match(tree, /model.safetensors\s+[\d.]+ [KM]?B\s+(LFS\s+)?PICKLE \(unsafe\)/);
    const missing = await cli(["info", "model", `alice/${tag}-nope`]);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /was not found/);
    const priv = await cli(["info", "model", hidden]);
    assert.equal(priv.code, 4);
  });

  it("info on a dataset and a space", async () => {
    const d = JSON.parse(ok(await cli(["info", "dataset", data, "--json"])).stdout);
    assert.equal(d.details.license, "cc-by-4.0");
    assert.deepEqual(d.files.map((f: { path: string }) => f.path).sort(), [
      ".gitattributes",
      "README.md",
      "data/test-00000-of-00001.parquet",
      "data/train-00000-of-00001.parquet",
    ]);
    const s = JSON.parse(ok(await cli(["info", "space", space, "--json"])).stdout);
    assert.equal(s.details.sdk, "gradio");
  });
});

describe("tree", () => {
  it("without an id: the ecosystem map, offline and instant", async () => {
    const run = ok(await runCli(["tree"], { HOME: pair.work.path, HF_ENDPOINT: "http://127.0.0.1:9" }));
    for (const branch of [
      "hub",
      "libraries",
      "inference",
      "training",
      "deployment",
      "formats",
      "tasks",
      "community",
    ])
      assert.match(run.stdout, new RegExp(`[├└]── ${branch}\\n`));
    assert.match(run.stdout, /│ {3}├── transformers\s+model architectures/);
  });

  it("with an id: the repo's files as a tree with sizes, LFS and safety marks", async () => {
    const run = ok(await cli(["tree", llm]));
    assert.match(run.stdout, /├── sub\/\n│ {3}└── dir\/\n│ {7}└── notes.txt\s+6 B\s+safe/);
    assert.match(run.stdout, /pytorch_model.bin\s+4 KB\s+LFS\s+PICKLE \(unsafe\)/);
    const json = JSON.parse(ok(await cli(["tree", `hf:datasets/${data}`, "--json"])).stdout);
    assert.equal(json.children[0].label, "data/");
  });
});

describe("the official client agrees with what info reports", () => {
  it("huggingface_hub's model_info sees the same sha and license", async () => {
    const r = JSON.parse(ok(await cli(["info", "model", llm, "--json"])).stdout);
    const py = await runPython<{ ok: boolean; sha: string; card_data: { license: string } }>(
      "hf",
      "hf_client.py",
      { op: "repo_info", repo_id: llm },
      { HF_ENDPOINT: pair.hf.url, HF_TOKEN: USERS.alice.token, HF_HOME: `${pair.work.path}/hfpy` },
    );
    assert.equal(py.sha, r.details.sha);
    assert.equal(py.card_data.license, r.details.license);
  });
});
