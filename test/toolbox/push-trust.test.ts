import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";
import { type HubPair, startHubPair, USERS } from "../helpers/local-hub.js";
import { pickleFile } from "../helpers/weights.js";

/** `push` refuses what it must refuse, through the real CLI against the local hubs. */
let pair: HubPair;
before(async () => {
  pair = await startHubPair("push-trust");
});
after(async () => {
  await pair?.stop();
});

describe("push: the secret scan catches every token form the hubs issue", () => {
  const forms: [string, string][] = [
    ["HF user token", `hf_${"aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0dFgH"}`],
    ["HF org token", `api_org_${"aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0dFgH"}`],
    ["ModelScope SDK token", "ms-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"],
    ["local hub demo ms token", `ms-${"0123456789abcdef".repeat(2)}`],
    ["local hub demo hf token", `hf_${"0123456789abcdef".repeat(2)}`],
    ["local hub users-file ms token", "ms-carol-test-token-0009"],
    ["local hub users-file hf token", "hf_carol_test_token_0009"],
  ];
  for (const [label, token] of forms)
    it(`a ${label} in a file: exit 5, file:line, never the token`, async () => {
      const dir = join(pair.work.path, `secret-${label.replace(/\W+/g, "-")}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "config.json"), "{}\n");
      await writeFile(join(dir, "train.py"), `import os\n\nkey = "${token}"\n`);
      const run = await runCli(["push", "model", dir, "--repo", "alice/leaky"], pair.env());
      assert.equal(run.code, 5, run.stderr);
      assert.match(run.stderr, /train\.py:3/);
      assert.ok(!(run.stdout + run.stderr).includes(token), "the token was printed");
    });

  it("the environment's own token is caught whatever its form", async () => {
    const dir = join(pair.work.path, "secret-own");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "notes.txt"), `token: ${USERS.bob.msToken}\n`);
    const run = await runCli(
      ["push", "model", dir, "--repo", "alice/leaky"],
      pair.env({ MODELSCOPE_API_TOKEN: USERS.bob.msToken }),
    );
    assert.equal(run.code, 5, run.stderr);
    assert.match(run.stderr, /notes\.txt:1/);
    assert.ok(!(run.stdout + run.stderr).includes(USERS.bob.msToken));
  });

  it("identifiers that look alike are not refused", async () => {
    const dir = join(pair.work.path, "secret-none");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "app.py"), "from huggingface_hub import hf_hub_download\nimport ms-swift\n");
    const run = await runCli(["push", "model", dir, "--repo", "alice/clean"], pair.env());
    assert.equal(run.code, 0, run.stderr);
  });
});

describe("ModelScope repos get the source's licence, or none", () => {
  const msLicense = async (id: string) => {
    const meta = JSON.parse(
      await readFile(join(pair.ms.root, "repos", "ms", "models", ...id.split("/"), "repo.json"), "utf8"),
    ) as { license?: string; meta?: { license?: string } };
    return meta.license ?? meta.meta?.license;
  };
  const folder = async (name: string, readme?: string) => {
    const dir = join(pair.work.path, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "config.json"), "{}\n");
    if (readme) await writeFile(join(dir, "README.md"), readme);
    return dir;
  };

  it("push to ModelScope: the card's licence mapped to ModelScope's name; none when the card has none", async () => {
    const mit = await folder("lic-mit", "---\nlicense: mit\n---\n# m\n");
    assert.equal((await runCli(["push", "model", mit, "--repo", "ms:alice/lic-mit"], pair.env())).code, 0);
    assert.equal(await msLicense("alice/lic-mit"), "MIT");
    const none = await folder("lic-none", "# no front matter\n");
    const run = await runCli(["push", "model", none, "--repo", "ms:alice/lic-none"], pair.env());
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await msLicense("alice/lic-none"), undefined);
    // Read back, it still has none: neither the hub's answer nor hubferry makes one up.
    const info = await runCli(["info", "model", "ms:alice/lic-none", "--json"], pair.env());
    assert.equal(info.code, 0, info.stderr);
    assert.equal(JSON.parse(info.stdout).details.license, undefined);
  });

  it("migrate to ModelScope: the source's licence, or --license", async () => {
    const src = await folder("lic-src", "---\nlicense: gpl-3.0\n---\n# m\n");
    assert.equal((await runCli(["push", "model", src, "--repo", "alice/lic-src"], pair.env())).code, 0);
    const run = await runCli(["migrate", "hf:alice/lic-src", "ms:alice/lic-src", "--yes"], pair.env());
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await msLicense("alice/lic-src"), "GPL-3.0");
    const flagged = await runCli(
      ["migrate", "hf:alice/lic-src", "ms:alice/lic-flag", "--yes", "--license", "apache-2.0"],
      pair.env(),
    );
    assert.equal(flagged.code, 0, flagged.stderr);
    assert.equal(await msLicense("alice/lic-flag"), "Apache License 2.0");
  });
});

describe("push space: the SDK comes from the folder, or is asked for", () => {
  const space = async (name: string, files: Record<string, string>) => {
    const dir = join(pair.work.path, name);
    await mkdir(dir, { recursive: true });
    for (const [p, text] of Object.entries(files)) await writeFile(join(dir, p), text);
    return dir;
  };
  const sdkOf = async (id: string) =>
    ((await (await fetch(`${pair.hf.url}/api/spaces/${id}`)).json()) as { sdk?: string }).sdk;

  it("app.py importing gradio, a Dockerfile, README sdk: wins; nothing to tell by: exit 2", async () => {
    const cases: [string, Record<string, string>, string][] = [
      [
        "sp-gradio",
        { "app.py": "import gradio as gr\n\ngr.Interface(fn=str, inputs='text', outputs='text').launch()\n" },
        "gradio",
      ],
      ["sp-docker", { Dockerfile: "FROM python:3.11\n" }, "docker"],
      ["sp-card", { "app.py": "import gradio\n", "README.md": "---\nsdk: streamlit\n---\n" }, "streamlit"],
    ];
    for (const [name, files, sdk] of cases) {
      const run = await runCli(
        ["push", "space", await space(name, files), "--repo", `alice/${name}`],
        pair.env(),
      );
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await sdkOf(`alice/${name}`), sdk, name);
    }
    const run = await runCli(
      ["push", "space", await space("sp-unknown", { "main.py": "print(1)\n" }), "--repo", "alice/sp-unknown"],
      pair.env(),
    );
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--sdk/);
  });
});

describe("a pickle renamed .safetensors: one verdict from the bytes", () => {
  it("info labels it pickle in the file table too", async () => {
    const dir = join(pair.work.path, "renamed");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "model.safetensors"), pickleFile());
    const pushed = await runCli(["push", "model", dir, "--repo", "alice/renamed"], pair.env());
    assert.equal(pushed.code, 0, pushed.stderr);
    const run = await runCli(["info", "model", "alice/renamed", "--json"], pair.env());
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      files: { path: string; safety: string }[];
      formats: { pickle: number; safetensors: number };
    };
    assert.equal(report.files.find((f) => f.path === "model.safetensors")?.safety, "pickle");
    assert.equal(report.formats.pickle, 1);
    assert.equal(report.formats.safetensors, 0);
  });
});
