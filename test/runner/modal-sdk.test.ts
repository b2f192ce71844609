import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { childEnvBase } from "../helpers/child-env.js";
import { type CliRun, eventsOf, runCli } from "../helpers/cli.js";
import { pseudoRandom, randomName } from "../helpers/fixtures.js";
import { CLI, type HubPair, ORG, PROJECT_ROOT, startHubPair, USERS } from "../helpers/local-hub.js";
import { modalSdkPath } from "../helpers/modal-control-plane/definitions.js";
import type { RecordedCall } from "../helpers/modal-control-plane/recorder.js";
import { FS_TOOLS } from "../helpers/modal-control-plane/sandboxes.js";
// Type only: the server needs nice-grpc, which comes with the optional modal package.
import type { ControlPlane } from "../helpers/modal-control-plane/server.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The real `modal` SDK (0.11.1) inside the real CLI, against a local Modal control plane on
 * 127.0.0.1 that runs each sandbox as a local process: what hubferry sends is checked at the wire.
 */
const sdkMissing = modalSdkPath() === undefined;
const skip = sdkMissing ? "the optional modal package is not installed (npm install modal@0.11.1)" : false;
if (sdkMissing) console.log(`# skipping the Modal SDK tests: ${skip}`);

const TOKENS = [USERS.alice.token, USERS.alice.msToken];
const FILES: Record<string, Buffer> = {
  "README.md": Buffer.from("# through a modal sandbox\n"),
  "w/weights.bin": pseudoRandom(200_000, 7),
  "config.json": Buffer.from('{"a":1}\n'),
};

describe("the Modal runner through the real SDK and a local control plane", { skip }, () => {
  let pair: HubPair;
  let cp: ControlPlane;
  let scratch: { path: string; cleanup: () => Promise<void> };
  const names = [randomName("mdl"), randomName("mdl")];
  const env = (extra: Record<string, string | undefined> = {}) => ({ ...pair.env(extra), ...cp.env() });

  before(async () => {
    pair = await startHubPair("modal-sdk");
    scratch = await tempDir("modal-cp");
    const { startModalControlPlane } = await import("../helpers/modal-control-plane/server.js");
    cp = await startModalControlPlane(scratch.path);
    for (const name of names) await seed(pair.hf.url, name);
  });
  after(async () => {
    await cp?.stop();
    await pair?.stop();
    await scratch?.cleanup();
  });

  /** Each test starts with a clean record and no faults, and ends with no unserved RPC. */
  const fresh = () => {
    cp.recorder.clear();
    for (const k of Object.keys(cp.faults)) delete cp.faults[k as keyof typeof cp.faults];
  };
  const noUnserved = () => assert.deepEqual(cp.recorder.unimplemented(), []);

  it("the control plane itself: an unserved RPC is UNIMPLEMENTED and recorded (so noUnserved fails), a wrong token pair is refused", async () => {
    fresh();
    const saved = {
      MODAL_CONFIG_PATH: process.env.MODAL_CONFIG_PATH,
      MODAL_SERVER_URL: process.env.MODAL_SERVER_URL,
    };
    // The SDK reads its config once, when first imported: only this test imports it in-process.
    Object.assign(process.env, { MODAL_CONFIG_PATH: cp.env().MODAL_CONFIG_PATH, MODAL_SERVER_URL: cp.url });
    try {
      const modal = await import("modal");
      const client = new modal.ModalClient();
      await assert.rejects(
        client.volumes.fromName("v", { createIfMissing: true }),
        /not served by the local control plane/,
      );
      assert.deepEqual(cp.recorder.unimplemented(), ["control:VolumeGetOrCreate"]);
      client.close();
      const wrong = new modal.ModalClient({
        tokenId: "ak-wrongwrongwrong",
        tokenSecret: "as-wrongwrongwrong",
      });
      await assert.rejects(
        wrong.apps.fromName("hubferry", { createIfMissing: true }),
        /Invalid token id or secret/,
      );
      wrong.close();
      assert.deepEqual(
        cp.recorder.calls.filter((c) => c.status === "UNAUTHENTICATED").map((c) => c.method),
        ["AuthTokenGet"],
      );
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });

  it("auth check --modal: accepted through AuthTokenGet and AppGetOrCreate, from the active profile", async () => {
    fresh();
    const run = await runCli(["auth", "check", "--modal", "--json"], env());
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const modal = tokensOf(run).find((t) => t.name === "modal")!;
    assert.equal(modal.valid, true);
    assert.match(String(modal.source), /profile "hubferry-test"/);
    assert.deepEqual(cp.recorder.methods(), ["AuthTokenGet", "AppGetOrCreate"]);
    const [get] = cp.recorder.of("AuthTokenGet");
    assert.equal(get!.metadata["x-modal-token-id"], cp.auth.tokenId);
    assert.ok(cp.auth.verify(cp.recorder.of("AppGetOrCreate")[0]!.metadata["x-modal-auth-token"]));
    assert.ok(!run.stdout.includes(cp.auth.tokenSecret) && !run.stderr.includes(cp.auth.tokenSecret));
    noUnserved();
  });

  it("auth check --modal: a refused token pair is exit 3, says so, and shows no secret", async () => {
    fresh();
    cp.faults.refuseTokens = true;
    const run = await runCli(["auth", "check", "--modal", "--json"], env());
    assert.equal(run.code, 3, run.stderr + run.stdout);
    const modal = tokensOf(run).find((t) => t.name === "modal")!;
    assert.equal(modal.valid, false);
    assert.match(String(modal.problem), /^Modal refused the credentials: Invalid token id or secret$/);
    assert.ok(!run.stdout.includes(cp.auth.tokenSecret) && !run.stderr.includes(cp.auth.tokenSecret));
  });

  it("auth check --modal: an unreachable control plane is not called a refusal", async () => {
    const run = await runCli(["auth", "check", "--modal", "--json"], {
      ...env(),
      MODAL_SERVER_URL: "http://127.0.0.1:1",
    });
    // A network failure (exit 1), not a refused token (exit 3).
    assert.equal(run.code, 1, run.stderr + run.stdout);
    const modal = tokensOf(run).find((t) => t.name === "modal")!;
    assert.equal(modal.valid, undefined);
    assert.equal(modal.unreachable, true);
    assert.match(String(modal.problem), /^could not reach Modal/);
  });

  it("migrate --runner modal: byte-identical, events relayed, limits sent as asked, tokens only in secret sources", async () => {
    fresh();
    const name = names[0]!;
    const run = await runCli(
      [
        "migrate",
        `hf:${ORG}/${name}`,
        `ms:${ORG}/${name}`,
        "--runner",
        "modal",
        "--yes",
        "--json",
        ...["--cpu", "2", "--memory", "1536", "--region", "us-east", "--timeout", "10m"],
      ],
      env(),
    );
    assert.equal(run.code, 0, run.stderr);
    const [plan] = eventsOf(run, "plan") as { notes: string[]; copy: unknown[] }[];
    assert.ok(plan!.notes.some((n) => /Modal sandbox/.test(n)));
    assert.equal(plan!.copy.length, Object.keys(FILES).length + 1); // and .gitattributes
    assert.equal((eventsOf(run, "summary")[0] as { files: number }).files, plan!.copy.length);
    await sameBytes(pair, name, name);

    const [create] = cp.recorder.of("SandboxCreateV2") as { request: CreateV2 }[];
    const def = create!.request.definition;
    assert.equal(def.timeoutSecs, 600);
    assert.equal(def.resources.milliCpu, 2000);
    assert.equal(def.resources.memoryMb, 1536);
    assert.deepEqual(def.schedulerPlacement.regions, ["us-east"]);
    const [image] = cp.recorder.of("ImageGetOrCreate") as {
      request: { image: { dockerfileCommands: string[] } };
    }[];
    assert.deepEqual(image!.request.image.dockerfileCommands, ["FROM node:22-slim"]);
    const secretEnv = Object.assign({}, ...create!.request.secretSources.map((s) => s.env?.contents ?? {}));
    assert.equal(secretEnv.HF_TOKEN, USERS.alice.token);
    assert.equal(secretEnv.MODELSCOPE_API_TOKEN, USERS.alice.msToken);
    tokensOnlyInSecretSources(cp.recorder.calls, "SandboxCreateV2");
    const programs = execStarts(cp.recorder.calls).filter((a) => a[0] !== FS_TOOLS);
    assert.deepEqual(
      programs.map((a) => a.slice(0, 3)),
      [["node", "/opt/hubferry/hubferry.mjs", "migrate"]],
    );
    for (const c of cp.recorder.calls.filter((c) => c.service === "router")) {
      assert.match(c.metadata.authorization ?? "", /^Bearer /);
      assert.equal(c.metadata["x-modal-token-secret"], undefined);
    }
    assert.equal(cp.recorder.of("SandboxTerminateV2").length, 1);
    noUnserved();
  });

  it("migrate --sandboxes 2: one sandbox per worker, each order on its stdin, byte-identical, every sandbox terminated", async () => {
    fresh();
    const name = names[0]!;
    const run = await runCli(
      [
        "migrate",
        `hf:${ORG}/${name}`,
        `ms:${ORG}/${name}-sharded`,
        "--runner",
        "modal",
        "--sandboxes",
        "2",
        "--yes",
        "--json",
      ],
      env(),
    );
    assert.equal(run.code, 0, `${run.stderr}\n${run.stdout.slice(-3000)}`);
    const [plan] = eventsOf(run, "plan") as { notes: string[]; dealt: { worker: number }[] }[];
    assert.deepEqual(
      plan!.dealt.map((d) => d.worker),
      [1, 2],
    );
    assert.ok(plan!.notes.some((n) => /up to 2 Modal sandboxes/.test(n)));
    await sameBytes(pair, name, `${name}-sharded`);
    assert.equal(cp.recorder.of("SandboxCreateV2").length, 2);
    assert.equal(cp.recorder.of("SandboxTerminateV2").length, 2);
    tokensOnlyInSecretSources(cp.recorder.calls, "SandboxCreateV2", 2);
    // Each worker's command line names the pinned revision and stdin, never a file of its order...
    const programs = execStarts(cp.recorder.calls).filter((a) => a[0] !== FS_TOOLS);
    assert.equal(programs.length, 2);
    for (const argv of programs) {
      assert.deepEqual(argv.slice(argv.indexOf("--work-order"), argv.indexOf("--work-order") + 2), [
        "--work-order",
        "-",
      ]);
      assert.ok(!argv.some((a) => a.includes("weights.bin")));
    }
    // ...which came on that program's stdin stream: between them, every file of the plan, once.
    const ordered: string[] = [];
    const writes = cp.recorder.of("TaskExecStdinWrite") as {
      request: { execId: string; data: Uint8Array };
    }[];
    for (const execId of programExecIds(cp.recorder.calls)) {
      const bytes = writes.filter((w) => w.request.execId === execId).map((w) => Buffer.from(w.request.data));
      const order = JSON.parse(Buffer.concat(bytes).toString("utf8")) as { files: { path: string }[] };
      ordered.push(...order.files.map((f) => f.path));
    }
    assert.deepEqual(ordered.sort(), [...Object.keys(FILES), ".gitattributes"].sort());
    noUnserved();
  });

  it("migrate --sandboxes 2 the other way, ModelScope -> HF: byte-identical on HF", async () => {
    fresh();
    const name = names[0]!;
    // The ModelScope copy the test above made is the source here. The copy is not named mdl-*:
    // the batch test below takes every repo of the org by that pattern.
    const run = await runCli(
      [
        "migrate",
        `ms:${ORG}/${name}-sharded`,
        `hf:${ORG}/back-${name}`,
        "--runner",
        "modal",
        "--sandboxes",
        "2",
        "--yes",
        "--json",
      ],
      env(),
    );
    assert.equal(run.code, 0, `${run.stderr}\n${run.stdout.slice(-3000)}`);
    for (const [path, content] of Object.entries(FILES)) {
      const res = await fetch(`${pair.hf.url}/${ORG}/back-${name}/resolve/main/${path}`, {
        headers: { authorization: `Bearer ${USERS.alice.token}` },
      });
      assert.equal(res.status, 200, path);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(content), path);
    }
    assert.equal(cp.recorder.of("SandboxCreateV2").length, 2);
    assert.equal(cp.recorder.of("SandboxTerminateV2").length, 2);
    noUnserved();
  });

  it("migrate --sandboxes 2 on V1 sandboxes (MODAL_SANDBOX_V2=0): the orders reach the workers the same way", async () => {
    fresh();
    const name = names[1]!;
    const run = await runCli(
      [
        "migrate",
        `hf:${ORG}/${name}`,
        `ms:${ORG}/${name}-sharded-v1`,
        "--runner",
        "modal",
        "--sandboxes",
        "2",
        "--yes",
        "--json",
      ],
      env({ MODAL_SANDBOX_V2: "0" }),
    );
    assert.equal(run.code, 0, `${run.stderr}\n${run.stdout.slice(-3000)}`);
    await sameBytes(pair, name, `${name}-sharded-v1`);
    assert.equal(cp.recorder.of("SandboxCreate").length, 2);
    assert.equal(cp.recorder.of("SandboxTerminate").length, 2);
    noUnserved();
  });

  it("a batch runs one sandbox per repo", async () => {
    fresh();
    const run = await runCli(
      ["migrate", `hf:${ORG}`, `ms:${ORG}`, "--runner", "modal", "--yes", "--json", "--include", "mdl-*"],
      env(),
    );
    assert.equal(run.code, 0, run.stderr);
    const rows = (eventsOf(run, "batch")[0] as { repos: { source: string }[] }).repos;
    assert.deepEqual(rows.map((r) => r.source).sort(), names.map((n) => `hf:${ORG}/${n}`).sort());
    assert.equal(cp.recorder.of("SandboxCreateV2").length, names.length);
    assert.equal(cp.recorder.of("SandboxTerminateV2").length, names.length);
    await sameBytes(pair, names[1]!, names[1]!);
    noUnserved();
  });

  it("a worker error comes back with its code and message", async () => {
    fresh();
    const name = names[0]!;
    const run = await runCli(
      ["migrate", `hf:${ORG}/${name}`, `ms:${ORG}/${name}-noauth`, "--runner", "modal", "--yes", "--json"],
      env({ MODELSCOPE_API_TOKEN: undefined }),
    );
    assert.equal(run.code, 3, run.stderr);
    assert.equal((eventsOf(run, "error")[0] as { code: string }).code, "AUTH_MISSING");
    assert.match(run.stderr, /no ModelScope token/);
    noUnserved();
  });

  it("V1 sandboxes (MODAL_SANDBOX_V2=0): an ephemeral Secret, SandboxCreate, the same router calls", async () => {
    fresh();
    const name = names[0]!;
    const run = await runCli(
      ["migrate", `hf:${ORG}/${name}`, `ms:${ORG}/${name}-v1`, "--runner", "modal", "--yes", "--json"],
      { ...env(), MODAL_SANDBOX_V2: "0" },
    );
    assert.equal(run.code, 0, run.stderr);
    await sameBytes(pair, name, `${name}-v1`);
    const methods = new Set(cp.recorder.methods());
    for (const m of ["SecretGetOrCreate", "SandboxCreate", "SandboxGetTaskId", "TaskGetCommandRouterAccess"])
      assert.ok(methods.has(m), m);
    assert.ok(!methods.has("SandboxCreateV2"));
    assert.equal(cp.recorder.of("SandboxTerminate").length, 1);
    const [secret] = cp.recorder.of("SecretGetOrCreate") as {
      request: { envDict: Record<string, string>; objectCreationType: number };
    }[];
    assert.equal(secret!.request.envDict.HF_TOKEN, USERS.alice.token);
    assert.equal(secret!.request.objectCreationType, 5);
    tokensOnlyInSecretSources(cp.recorder.calls, "SecretGetOrCreate");
    noUnserved();
  });

  it("a transient UNAVAILABLE in the middle of stdout: the SDK resumes from its offset, nothing lost", async () => {
    fresh();
    cp.faults.stdoutBreakAfter = 40;
    const name = names[0]!;
    const run = await runCli(
      ["migrate", `hf:${ORG}/${name}`, `ms:${ORG}/${name}-out`, "--runner", "modal", "--yes", "--json"],
      env(),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(eventsOf(run, "plan").length, 1);
    assert.equal(eventsOf(run, "summary").length, 1);
    await sameBytes(pair, name, `${name}-out`);
    const reads = cp.recorder
      .of("TaskExecStdioRead")
      .map((c) => c.request as { offset: number; fileDescriptor: number; execId: string })
      .filter((r) => r.fileDescriptor === 0 && programExecIds(cp.recorder.calls).includes(r.execId));
    assert.deepEqual(
      reads.map((r) => Number(r.offset)),
      [0, 40],
    );
    assert.equal(cp.recorder.of("TaskExecStdioRead").filter((c) => c.status === "UNAVAILABLE").length, 1);
    noUnserved();
  });

  it("a transient UNAVAILABLE in the middle of the stdin stream: the SDK asks the status and resumes", async () => {
    fresh();
    cp.faults.stdinBreakAfter = 300_000;
    const name = names[0]!;
    const run = await runCli(
      ["migrate", `hf:${ORG}/${name}`, `ms:${ORG}/${name}-in`, "--runner", "modal", "--yes", "--json"],
      env(),
    );
    assert.equal(run.code, 0, run.stderr);
    await sameBytes(pair, name, `${name}-in`);
    const streams = cp.recorder.of("TaskExecStdinWriteStream");
    assert.deepEqual(
      streams.map((s) => s.status),
      ["UNAVAILABLE", "OK"],
    );
    const [status] = cp.recorder.of("TaskExecStdinStatus");
    assert.ok(status);
    const resumedAt = Number(
      ((streams[1]!.request as unknown[])[0] as { start: { offset: number } }).start.offset,
    );
    assert.ok(resumedAt >= 300_000, String(resumedAt));
    // The bundle arrived whole, and it carries no token.
    const sb = [...cp.sandboxes.all.values()].at(-1)!;
    const bundle = await readFile(join(PROJECT_ROOT, "bundle", "hubferry.mjs"));
    assert.ok((await readFile(sb.pathFor("/opt/hubferry/hubferry.mjs"))).equals(bundle));
    for (const t of TOKENS) assert.ok(!bundle.includes(t));
    noUnserved();
  });

  it("Ctrl-C ends the run even when the output streams stay open after terminate and the exit wait never answers", async () => {
    fresh();
    cp.faults.holdPrograms = true;
    cp.faults.waitAfterEnd = "unavailable";
    cp.faults.streamsOutliveEnd = true;
    const name = names[0]!;
    const run = await interruptOnceRunning(
      cp,
      ["migrate", `hf:${ORG}/${name}`, `ms:${ORG}/${name}-open`, "--runner", "modal", "--yes"],
      env(),
    );
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /cancel/i);
    assert.equal(cp.recorder.of("SandboxTerminateV2").length, 1);
    noUnserved();
  });

  for (const answer of ["killed", "not-found", "unavailable"] as const) {
    it(`Ctrl-C ends the run with exit 130 and terminates the sandbox (the exit wait answers ${answer})`, async () => {
      fresh();
      cp.faults.holdPrograms = true;
      cp.faults.waitAfterEnd = answer;
      const name = names[0]!;
      const run = await interruptOnceRunning(
        cp,
        ["migrate", `hf:${ORG}/${name}`, `ms:${ORG}/${name}-int`, "--runner", "modal", "--yes"],
        env(),
      );
      assert.equal(run.code, 130, run.stderr);
      assert.match(run.stderr, /cancel/i);
      assert.doesNotMatch(run.stderr, /NOT_FOUND|UNAVAILABLE|modal\.client|task_command_router/);
      assert.equal(cp.recorder.of("SandboxTerminateV2").length, 1);
      noUnserved();
    });
  }

  for (const answer of ["not-found", "unavailable"] as const)
    it(`the sandbox timeout: the control plane stops it at --timeout, hubferry says so and ends (the exit wait answers ${answer})`, async () => {
      fresh();
      cp.faults.holdPrograms = true;
      cp.faults.waitAfterEnd = answer;
      const name = names[0]!;
      const run = await runCli(
        [
          "migrate",
          `hf:${ORG}/${name}`,
          `ms:${ORG}/${name}-late-${answer}`,
          "--runner",
          "modal",
          "--yes",
          "--timeout",
          "2s",
        ],
        env(),
        { timeoutMs: 60_000 },
      );
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /time limit \(--timeout 2s\)/);
      assert.match(run.stderr, /longer --timeout/);
      assert.doesNotMatch(run.stderr, /NOT_FOUND|UNAVAILABLE|modal\.client|task_command_router/);
      const [create] = cp.recorder.of("SandboxCreateV2") as { request: CreateV2 }[];
      assert.equal(create!.request.definition.timeoutSecs, 2);
      assert.equal([...cp.sandboxes.all.values()].at(-1)!.ended, "timeout");
      noUnserved();
    });
});

interface CreateV2 {
  definition: {
    timeoutSecs: number;
    resources: { milliCpu: number; memoryMb: number };
    schedulerPlacement: { regions: string[] };
  };
  secretSources: { env?: { contents: Record<string, string> } }[];
}

async function seed(hubUrl: string, name: string): Promise<void> {
  const auth = { authorization: `Bearer ${USERS.alice.token}`, "content-type": "application/json" };
  const created = await fetch(`${hubUrl}/api/repos/create`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ name, organization: ORG }),
  });
  assert.equal(created.status, 200);
  const line = (path: string, content: Buffer) =>
    JSON.stringify({ key: "file", value: { path, encoding: "base64", content: content.toString("base64") } });
  const res = await fetch(`${hubUrl}/api/models/${ORG}/${name}/commit/main`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/x-ndjson" },
    body: [
      JSON.stringify({ key: "header", value: { summary: "seed" } }),
      ...Object.entries(FILES).map(([p, c]) => line(p, c)),
    ].join("\n"),
  });
  assert.equal(res.status, 200);
}

/** Every seeded file, read back from the ModelScope hub, is byte for byte the source's. */
async function sameBytes(pair: HubPair, source: string, destination: string): Promise<void> {
  for (const [path, content] of Object.entries(FILES)) {
    const res = await fetch(
      `${pair.ms.url}/api/v1/models/${ORG}/${destination}/repo?Revision=master&FilePath=${encodeURIComponent(path)}`,
      { headers: { authorization: `Bearer ${USERS.alice.msToken}` } },
    );
    assert.equal(res.status, 200, `${destination}/${path}`);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(content), `${source} -> ${destination}: ${path}`);
  }
}

function tokensOf(
  run: CliRun,
): { name: string; valid?: boolean; problem?: string; source?: string; unreachable?: boolean }[] {
  return (JSON.parse(run.stdout) as { tokens: { name: string }[] }).tokens;
}

/** The argv of every TaskExecStart, in order. */
function execStarts(calls: RecordedCall[]): string[][] {
  return calls
    .filter((c) => c.method === "TaskExecStart")
    .map((c) => (c.request as { commandArgs: string[] }).commandArgs);
}

function programExecIds(calls: RecordedCall[]): string[] {
  return calls
    .filter((c) => c.method === "TaskExecStart")
    .map((c) => c.request as { commandArgs: string[]; execId: string })
    .filter((r) => r.commandArgs[0] !== FS_TOOLS)
    .map((r) => r.execId);
}

/**
 * The hub tokens travel in exactly one place, the call that creates the sandbox's secret: nowhere
 * else in any request (no command line, no header, not the bundle's stdin stream).
 */
function tokensOnlyInSecretSources(calls: RecordedCall[], carrier: string, sandboxes = 1): void {
  let carried = 0;
  for (const c of calls) {
    const text = JSON.stringify(c.request, (_k, v) =>
      v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : v,
    );
    const headers = JSON.stringify(c.metadata);
    for (const t of TOKENS) {
      assert.ok(!headers.includes(t), `a token in the headers of ${c.method}`);
      if (!text.includes(t)) continue;
      assert.equal(c.method, carrier, `a token in ${c.method}`);
      const rest = JSON.stringify({ ...(c.request as object), secretSources: [], envDict: {} });
      assert.ok(!rest.includes(t), `a token outside the secret of ${c.method}`);
      carried++;
    }
  }
  assert.equal(carried, TOKENS.length * sandboxes);
  for (const argv of execStarts(calls)) for (const t of TOKENS) assert.ok(!argv.join(" ").includes(t));
}

/** Runs the CLI, and sends it SIGINT (Ctrl-C) once its worker program is running in the sandbox. */
function interruptOnceRunning(
  cp: ControlPlane,
  args: string[],
  env: Record<string, string>,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...childEnvBase(), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    let polls = 0;
    const poll = setInterval(() => {
      // The worker program has been started in the sandbox (TaskExecStart is recorded once answered).
      if (programExecIds(cp.recorder.calls).length > 0 || ++polls > 1200) {
        clearInterval(poll);
        child.kill("SIGINT");
      }
    }, 50);
    // A run that does not end after Ctrl-C is the defect this guards against: fail, do not hang.
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hubferry did not end after Ctrl-C\n${stderr}`));
    }, 60_000);
    child.on("close", (code) => {
      clearInterval(poll);
      clearTimeout(guard);
      resolve({ code, stdout, stderr, events: [] });
    });
  });
}
