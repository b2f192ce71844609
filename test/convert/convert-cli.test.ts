import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { eventsOf, runCli } from "../helpers/cli.js";
import { ORG, startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { run, venvBin } from "../helpers/python.js";
import { seedHf } from "../helpers/seed.js";
import { tempDir } from "../helpers/tmp.js";
import { makeTinyModel, tinyModel } from "./tiny-models.js";

/**
 * `hubferry convert` as a user meets it: straight from a hub repo by range (a reset mid-tensor
 * costs a retry, not the conversion), refusals that say what is wrong and what to do, Ctrl-C that
 * leaves nothing behind, and the --pre override for a tokenizer llama.cpp does not know.
 */
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** A variant of `base`: its files linked or copied, then `edit` applied in the copy. */
function variant(base: string, dir: string, edit: (dir: string) => void): string {
  mkdirSync(dir);
  for (const f of readdirSync(base))
    if (f.endsWith(".safetensors")) symlinkSync(join(base, f), join(dir, f));
    else copyFileSync(join(base, f), join(dir, f));
  edit(dir);
  return dir;
}

describe("hubferry convert: sources, refusals and interruptions", () => {
  let dir = "";
  let cleanup = async () => {};
  let hub: TestHub;
  let model = "";
  let local = "";

  before(async () => {
    ({ path: dir, cleanup } = await tempDir("convert-cli"));
    model = join(dir, "tiny-qwen3");
    await makeTinyModel(model, tinyModel("qwen3", { seed: 7, shardBytes: "30MB" }));
    local = join(dir, "local.gguf");
    const r = await runCli(["convert", model, "--to", "gguf", "--type", "f16", "--output", local], {});
    assert.equal(r.code, 0, r.stderr);
    hub = await startTestHub();
    const files: Record<string, Buffer> = {};
    for (const f of readdirSync(model)) files[f] = readFileSync(join(model, f));
    await seedHf(hub.url, USERS.alice.token, { type: "model", name: `${ORG}/tiny-qwen3` }, files, {
      private: true,
    });
  });
  after(async () => {
    await hub?.stop();
    await cleanup();
  });

  test("from a hub repo by range, through a reset mid-tensor: the same bytes as from the folder, nothing else on disk", async () => {
    await hub.fault({ route: "hf.object", kind: "reset", afterBytes: 3_000_000, times: 2 });
    const outDir = join(dir, "from-hub");
    const out = join(outDir, "model.gguf");
    const r = await runCli(
      ["convert", `hf:${ORG}/tiny-qwen3`, "--to", "gguf", "--type", "f16", "--output", out, "--json"],
      {
        HF_ENDPOINT: hub.url,
        HF_TOKEN: USERS.alice.token,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      (await hub.faultRules()).some((rule) => rule.kind === "reset" && rule.hits > 0),
      "the reset happened",
    );
    assert.equal(sha256(out), sha256(local));
    assert.deepEqual(readdirSync(outDir), ["model.gguf"]);
    const plan = eventsOf(r, "convert_plan")[0] as { source: string };
    assert.match(plan.source, new RegExp(`^hf:${ORG}/tiny-qwen3@[0-9a-f]{40}$`));
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(USERS.alice.token));
  });

  test("pull --format gguf: a repo without that GGUF is converted while it downloads; one with it is pulled as is", async () => {
    const env = { HF_ENDPOINT: hub.url, HF_TOKEN: USERS.alice.token };
    const outDir = join(dir, "pulled");
    const r = await runCli(
      [
        "pull",
        "model",
        `hf:${ORG}/tiny-qwen3`,
        "--format",
        "gguf",
        "--quantization",
        "F16",
        "--output",
        outDir,
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), join(outDir, "tiny-qwen3-F16.gguf"));
    assert.equal(sha256(join(outDir, "tiny-qwen3-F16.gguf")), sha256(local));
    assert.deepEqual(readdirSync(outDir), ["tiny-qwen3-F16.gguf"]);
    await seedHf(
      hub.url,
      USERS.alice.token,
      { type: "model", name: `${ORG}/tiny-qwen3-gguf` },
      { "tiny-qwen3-F16.gguf": readFileSync(local), "README.md": Buffer.from("# gguf\n") },
    );
    const asIs = join(dir, "pulled-as-is");
    const p = await runCli(
      [
        "pull",
        "model",
        `hf:${ORG}/tiny-qwen3-gguf`,
        "--format",
        "gguf",
        "--quantization",
        "f16",
        "--output",
        asIs,
        "--json",
      ],
      env,
    );
    assert.equal(p.code, 0, p.stderr);
    assert.equal(eventsOf(p, "convert_plan").length, 0, "nothing was converted");
    assert.equal(sha256(join(asIs, "tiny-qwen3-F16.gguf")), sha256(local));
    const noOutput = await runCli(["pull", "model", `hf:${ORG}/tiny-qwen3`, "--format", "gguf"], env);
    assert.equal(noOutput.code, 2, noOutput.stderr);
    assert.match(noOutput.stderr, /has no Q4_K_M GGUF; converting it needs --output DIR/);
  });

  test("a private repo without a token is refused as not found, exit 4, nothing written", async () => {
    const out = join(dir, "denied", "model.gguf");
    const r = await runCli(["convert", `hf:${ORG}/tiny-qwen3`, "--to", "gguf", "--output", out], {
      HF_ENDPOINT: hub.url,
    });
    assert.equal(r.code, 4, r.stderr);
    assert.equal(existsSync(out), false);
  });

  test("refusals name what is wrong and what to do, exit 2, and write nothing", async () => {
    const gpt2 = variant(model, join(dir, "gpt2"), (d) => {
      const config = JSON.parse(readFileSync(join(d, "config.json"), "utf8"));
      writeFileSync(
        join(d, "config.json"),
        JSON.stringify({ ...config, architectures: ["GPT2LMHeadModel"] }),
      );
    });
    const sentencepiece = variant(model, join(dir, "spm"), (d) =>
      writeFileSync(join(d, "tokenizer.model"), "x"),
    );
    const out = join(dir, "refused", "x.gguf");
    const cases: Array<[string[], RegExp]> = [
      [
        [gpt2, "--output", out],
        /does not support GPT2LMHeadModel yet[\s\S]*hint: supported: LlamaForCausalLM/,
      ],
      [
        [sentencepiece, "--output", out],
        /tokenizer\.model is not a SentencePiece model the converter can read[\s\S]*hint: re-download/,
      ],
      [[model], /convert needs --output[\s\S]*hint: say where the GGUF goes/],
      [[join(dir, "no-such-folder"), "--output", out], /is not a folder[\s\S]*hint:/],
      [[model, "--output", out, "--type", "q9_9"], /argument 'q9_9' is invalid/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(["convert", ...args.slice(0, 1), "--to", "gguf", ...args.slice(1)], {});
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(existsSync(join(dir, "refused")), false);
  });

  test("an unknown BPE pre-tokenizer is refused with its hash, and --pre names it", async () => {
    const odd = variant(model, join(dir, "odd-pre"), (d) => {
      const tokenizer = JSON.parse(readFileSync(join(d, "tokenizer.json"), "utf8"));
      tokenizer.pre_tokenizer = {
        type: "ByteLevel",
        add_prefix_space: true,
        trim_offsets: true,
        use_regex: true,
      };
      writeFileSync(join(d, "tokenizer.json"), JSON.stringify(tokenizer));
    });
    const out = join(dir, "odd.gguf");
    const refused = await runCli(["convert", odd, "--to", "gguf", "--type", "f16", "--output", out], {});
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /not one llama\.cpp knows \(check hash [0-9a-f]{64}\)[\s\S]*--pre NAME/);
    const named = await runCli(
      ["convert", odd, "--to", "gguf", "--type", "f16", "--output", out, "--pre", "qwen2"],
      {},
    );
    assert.equal(named.code, 0, named.stderr);
    const read = await run(
      venvBin("gguf", "python"),
      [
        "-c",
        `from gguf import GGUFReader; print(GGUFReader(${JSON.stringify(out)}).fields["tokenizer.ggml.pre"].contents())`,
      ],
      {},
    );
    assert.equal(read.stdout.trim(), "qwen2");
  });

  test("Ctrl-C mid-conversion: exit 130, nothing under the output's name, no temporary file left", async () => {
    const outDir = join(dir, "cancelled");
    const out = join(outDir, "model.gguf");
    let interrupted = false;
    const r = await runCli(
      ["convert", model, "--to", "gguf", "--type", "q4_k_m", "--output", out, "--json"],
      {},
      {
        onEvent: (e, kill) => {
          if (e.event === "file_progress" && !interrupted) {
            interrupted = true;
            kill("SIGINT");
          }
        },
      },
    );
    assert.ok(interrupted, "the conversion reported progress before it ended");
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /convert cancelled: nothing was written under the output's name/);
    assert.deepEqual(readdirSync(outDir), []);
  });
});
