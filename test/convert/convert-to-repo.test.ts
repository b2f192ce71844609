import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { eventsOf, runCli } from "../helpers/cli.js";
import { type HubPair, ORG, startHubPair, USERS } from "../helpers/local-hub.js";
import { seedHf } from "../helpers/seed.js";
import { makeTinyModel, tinyModel } from "./tiny-models.js";

/**
 * A conversion whose output goes to a hub repo (`convert --repo`, `migrate --convert`): the GGUF
 * is made as it is uploaded, so what lands must be the very bytes `convert --output` writes, with
 * the source's config and tokenizer files and a card that names the source; a re-run sends
 * nothing; a dry run writes nothing; a reset on the source mid-upload costs a retry.
 */
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const auth = { authorization: `Bearer ${USERS.alice.token}` };

async function hfFile(url: string, repo: string, path: string): Promise<Buffer> {
  const res = await fetch(`${url}/${repo}/resolve/main/${path}`, { headers: auth });
  assert.equal(res.status, 200, `${repo}/${path}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

async function msFiles(url: string, repo: string): Promise<Map<string, { sha256: string; size: number }>> {
  const res = await fetch(`${url}/api/v1/models/${repo}/repo/files?Revision=master&Recursive=True`, {
    headers: { authorization: `Bearer ${USERS.alice.msToken}` },
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as {
    Data: { Files: { Path: string; Sha256: string; Size: number; Type: string }[] };
  };
  return new Map(
    body.Data.Files.filter((f) => f.Type !== "tree").map((f) => [f.Path, { sha256: f.Sha256, size: f.Size }]),
  );
}

async function hfPaths(url: string, repo: string): Promise<string[]> {
  const res = await fetch(`${url}/api/models/${repo}/tree/main?recursive=true`, { headers: auth });
  assert.equal(res.status, 200);
  return ((await res.json()) as { path: string; type: string }[])
    .filter((e) => e.type === "file")
    .map((e) => e.path)
    .sort();
}

describe("convert to a hub repo: --repo and migrate --convert", () => {
  let hubs: HubPair;
  let model = "";
  const local: Record<string, Buffer> = {};
  const companions = ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"];

  before(async () => {
    hubs = await startHubPair("convert-repo");
    model = join(hubs.work.path, "tiny-qwen3");
    await makeTinyModel(model, tinyModel("qwen3", { seed: 11, shardBytes: "30MB" }));
    for (const type of ["f16", "q8_0"]) {
      const out = join(hubs.work.path, `local-${type}.gguf`);
      const r = await runCli(["convert", model, "--to", "gguf", "--type", type, "--output", out], {});
      assert.equal(r.code, 0, r.stderr);
      local[type] = readFileSync(out);
    }
    const files: Record<string, Buffer> = {
      "README.md": Buffer.from("---\nlicense: apache-2.0\n---\n# tiny\n"),
    };
    for (const f of readdirSync(model)) files[f] = readFileSync(join(model, f));
    await seedHf(hubs.hf.url, USERS.alice.token, { type: "model", name: `${ORG}/tiny-qwen3` }, files, {
      private: true,
    });
  });
  after(async () => {
    await hubs?.stop();
  });

  test("convert hf:REPO --repo ms:DEST through a source reset: the bytes --output writes, the companions, a card; a re-run sends nothing", async () => {
    await hubs.hf.fault({ route: "hf.object", kind: "reset", afterBytes: 5_000_000, times: 2 });
    const args = [
      "convert",
      `hf:${ORG}/tiny-qwen3`,
      "--to",
      "gguf",
      "--type",
      "f16",
      "--repo",
      `ms:${ORG}/tiny-gguf`,
    ];
    const r = await runCli([...args, "--json"], hubs.env());
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      (await hubs.hf.faultRules()).some((rule) => rule.hits > 0),
      "the reset happened",
    );
    const listed = await msFiles(hubs.ms.url, `${ORG}/tiny-gguf`);
    const gguf = listed.get("tiny-qwen3-F16.gguf");
    assert.deepEqual(gguf, { sha256: sha256(local.f16 as Buffer), size: (local.f16 as Buffer).length });
    for (const f of companions)
      assert.equal(listed.get(f)?.sha256, sha256(readFileSync(join(model, f))), `${f} is the source's`);
    assert.ok(![...listed.keys()].some((p) => p.endsWith(".safetensors")), "no weights beside the GGUF");
    const card = await fetch(
      `${hubs.ms.url}/api/v1/models/${ORG}/tiny-gguf/repo?Revision=master&FilePath=README.md`,
      { headers: { authorization: `Bearer ${USERS.alice.msToken}` } },
    ).then((res) => res.text());
    assert.match(card, /^---\nlicense: apache-2\.0\n/);
    assert.match(card, new RegExp(`hf:${ORG}/tiny-qwen3@[0-9a-f]{40}`));
    assert.match(card, /F16 GGUF \(qwen3\)/);
    const verify = eventsOf(r, "verify")[0] as { ok: boolean; files: number };
    assert.equal(verify.ok, true);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(`${USERS.alice.token}|${USERS.alice.msToken}`));

    const again = await runCli([...args, "--json"], hubs.env());
    assert.equal(again.code, 0, again.stderr);
    const plan = eventsOf(again, "plan")[0] as { copy: unknown[]; present: unknown[] };
    assert.equal(plan.copy.length, 0, "everything is already there");
    assert.equal(eventsOf(again, "commit").length, 0);
  });

  test("migrate --convert gguf:q8_0 onto the same hub: the GGUF equals convert --output's, the source's card licence kept", async () => {
    const r = await runCli(
      ["migrate", `hf:${ORG}/tiny-qwen3`, `hf:${ORG}/tiny-qwen3-gguf`, "--convert", "gguf:q8_0", "--yes"],
      hubs.env(),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /verified: all \d+ files are on the destination/);
    const repo = `${ORG}/tiny-qwen3-gguf`;
    const gguf = await hfFile(hubs.hf.url, repo, "tiny-qwen3-Q8_0.gguf");
    assert.equal(sha256(gguf), sha256(local.q8_0 as Buffer));
    const paths = await hfPaths(hubs.hf.url, repo);
    for (const f of [...companions, "README.md", "tiny-qwen3-Q8_0.gguf"]) assert.ok(paths.includes(f), f);
    const card = (await hfFile(hubs.hf.url, repo, "README.md")).toString();
    assert.match(card, new RegExp(`base_model: ${ORG}/tiny-qwen3\\nbase_model_relation: quantized`));
  });

  test("convert FOLDER --repo: a new repo is private; --dry-run plans the GGUF and creates nothing", async () => {
    const dry = await runCli(
      [
        "convert",
        model,
        "--to",
        "gguf",
        "--type",
        "q8_0",
        "--repo",
        `hf:${ORG}/from-folder`,
        "--dry-run",
        "--json",
      ],
      hubs.env(),
    );
    assert.equal(dry.code, 0, dry.stderr);
    const plan = eventsOf(dry, "plan")[0] as { copy: { path: string; size: number }[] };
    assert.deepEqual(
      plan.copy.find((f) => f.path === "tiny-qwen3-Q8_0.gguf")?.size,
      (local.q8_0 as Buffer).length,
    );
    const missing = await fetch(`${hubs.hf.url}/api/models/${ORG}/from-folder`, { headers: auth });
    assert.equal(missing.status, 404, "a dry run creates nothing");

    const r = await runCli(
      ["convert", model, "--to", "gguf", "--type", "q8_0", "--repo", `hf:${ORG}/from-folder`],
      hubs.env(),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      sha256(await hfFile(hubs.hf.url, `${ORG}/from-folder`, "tiny-qwen3-Q8_0.gguf")),
      sha256(local.q8_0 as Buffer),
    );
    const anonymous = await fetch(`${hubs.hf.url}/api/models/${ORG}/from-folder`);
    assert.ok(
      [401, 404].includes(anonymous.status),
      `private: hidden from anyone without a token (${anonymous.status})`,
    );
    assert.equal(existsSync(join(model, "tiny-qwen3-Q8_0.gguf")), false, "nothing written beside the source");
    const card = (await hfFile(hubs.hf.url, `${ORG}/from-folder`, "README.md")).toString();
    assert.match(card, /of `tiny-qwen3` \(Qwen3ForCausalLM\)/);
    assert.ok(!card.includes(hubs.work.path), "the card does not say where the folder is on this machine");
  });

  test("back to safetensors in a repo: a local GGUF with --repo, a GGUF repo with migrate --convert safetensors:f32; the bytes --output writes", async () => {
    const gguf = join(hubs.work.path, "local-q8_0.gguf");
    const outDir = join(hubs.work.path, "back-local");
    const r0 = await runCli(["convert", gguf, "--to", "safetensors", "--output", outDir], {});
    assert.equal(r0.code, 0, r0.stderr);
    const weights = readFileSync(join(outDir, "model.safetensors"));
    const config = readFileSync(join(outDir, "config.json"));

    const r1 = await runCli(["convert", gguf, "--to", "safetensors", "--repo", `hf:${ORG}/back`], hubs.env());
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(sha256(await hfFile(hubs.hf.url, `${ORG}/back`, "model.safetensors")), sha256(weights));
    assert.ok((await hfFile(hubs.hf.url, `${ORG}/back`, "config.json")).equals(config));
    const card = (await hfFile(hubs.hf.url, `${ORG}/back`, "README.md")).toString();
    assert.match(card, /library_name: transformers/);
    assert.match(card, /dequantized values, with its quantization error/);

    const r2 = await runCli(
      ["migrate", `hf:${ORG}/tiny-qwen3-gguf`, `ms:${ORG}/back`, "--convert", "safetensors:f32", "--yes"],
      hubs.env(),
    );
    assert.equal(r2.code, 0, r2.stderr);
    const listed = await msFiles(hubs.ms.url, `${ORG}/back`);
    assert.equal(listed.get("model.safetensors")?.sha256, sha256(weights));
    assert.equal(listed.get("config.json")?.sha256, sha256(config));
    assert.ok(![...listed.keys()].some((p) => p.endsWith(".gguf")), "the GGUF stays behind");
    for (const f of ["tokenizer.json", "tokenizer_config.json"])
      assert.equal(
        listed.get(f)?.sha256,
        sha256(readFileSync(join(outDir, f))),
        `${f} rebuilt as --output writes it`,
      );
  });

  test("refusals: a bad --convert, --convert with --sandboxes or a folder, --repo with --output or --to safetensors", async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ["migrate", `hf:${ORG}/tiny-qwen3`, `ms:${ORG}/x`, "--convert", "gguf:q9", "--yes"],
        /--convert must be gguf:TYPE or safetensors:DTYPE, not "gguf:q9"[\s\S]*hint: TYPE is one of f32/,
      ],
      [
        ["migrate", `hf:${ORG}/tiny-qwen3`, `ms:${ORG}/x`, "--convert", "onnx", "--yes"],
        /--convert must be gguf:TYPE/,
      ],
      [
        [
          "migrate",
          `hf:${ORG}/tiny-qwen3`,
          `ms:${ORG}/x`,
          "--convert",
          "gguf",
          "--sandboxes",
          "2",
          "--runner",
          "process",
          "--yes",
        ],
        /cannot be split over --sandboxes/,
      ],
      [
        ["migrate", `hf:${ORG}/tiny-qwen3`, join(hubs.work.path, "dir"), "--convert", "gguf", "--yes"],
        /--convert reads a hub repo and writes a hub repo/,
      ],
      [
        ["convert", model, "--to", "gguf", "--repo", `hf:${ORG}/x`, "--output", "x.gguf"],
        /--output and --repo both say where/,
      ],
      [
        ["convert", model, "--to", "safetensors", "--repo", `hf:${ORG}/x`],
        /is not a file[\s\S]*hint: give a \.gguf file/,
      ],
      [
        ["convert", model, "--to", "gguf", "--repo", `hf:datasets/${ORG}/x`],
        /is a dataset: a GGUF goes to a model repo/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, hubs.env());
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const missing = await fetch(`${hubs.ms.url}/api/v1/models/${ORG}/x`, {
      headers: { authorization: `Bearer ${USERS.alice.msToken}` },
    });
    assert.notEqual(missing.status, 200, "nothing was created");
  });
});
