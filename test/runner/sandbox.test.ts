import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HubferryError } from "../../src/core/errors.js";
import { ModalProvider, verifyModalCredentials } from "../../src/runner/modal-provider.js";
import { ProcessProvider } from "../../src/runner/process-provider.js";
import { eventOf, runInSandbox } from "../../src/runner/run-in-sandbox.js";
import type { TransferEvent } from "../../src/transfer/events.js";
import { eventsOf, runCli } from "../helpers/cli.js";
import { randomName } from "../helpers/fixtures.js";
import { type HubPair, ORG, startHubPair, type TestHub, USERS } from "../helpers/local-hub.js";

const settings = {
  hfEndpoint: "http://127.0.0.1:1",
  msEndpoint: "http://127.0.0.1:2",
  hfToken: USERS.alice.token,
  msToken: USERS.alice.msToken,
};

describe("the process sandbox provider (the seam tests use instead of Modal)", () => {
  it("gives the worker only PATH, a scratch HOME and the secret environment", async () => {
    const run = await new ProcessProvider().start({
      bundle:
        "console.log(JSON.stringify({ keys: Object.keys(process.env).sort(), home: process.env.HOME, argv: process.argv.slice(2) }));",
      args: ["a", "b"],
      secretEnv: { HF_TOKEN: "hf_secret_value_x" },
      timeoutMs: 30_000,
    });
    process.env.HUBFERRY_TEST_MARKER = "must-not-leak";
    const lines: string[] = [];
    for await (const l of run.lines) lines.push(l);
    delete process.env.HUBFERRY_TEST_MARKER;
    assert.equal(await run.wait(), 0);
    await run.terminate();
    const seen = JSON.parse(lines[0]!) as { keys: string[]; home: string; argv: string[] };
    // NODE_V8_COVERAGE is Node's own: when set (npm test's coverage) Node passes it to every child.
    assert.deepEqual(
      seen.keys.filter((k) => !["LANG", "PATH", "HOME", "HF_TOKEN", "NODE_V8_COVERAGE"].includes(k)),
      [],
    );
    assert.match(seen.home, /hubferry-sandbox-/);
    assert.deepEqual(seen.argv, ["a", "b"]);
  });

  describe("a full migrate through the CLI with --runner process, against two local hubs", () => {
    let pair: HubPair;
    let hf: TestHub;
    let ms: TestHub;
    const name = randomName("sbx");
    before(async () => {
      pair = await startHubPair("sandbox");
      ({ hf, ms } = pair);
      const auth = { authorization: `Bearer ${USERS.alice.token}`, "content-type": "application/json" };
      await fetch(`${hf.url}/api/repos/create`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ name, organization: ORG }),
      });
      const line = (path: string, text: string) =>
        JSON.stringify({
          key: "file",
          value: { path, encoding: "base64", content: Buffer.from(text).toString("base64") },
        });
      const res = await fetch(`${hf.url}/api/models/${ORG}/${name}/commit/main`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/x-ndjson" },
        body: [
          JSON.stringify({ key: "header", value: { summary: "seed" } }),
          line("README.md", "# sandbox\n"),
          line("w/data.txt", "x".repeat(5000)),
        ].join("\n"),
      });
      assert.equal(res.status, 200);
    });
    after(async () => {
      await pair?.stop();
    });
    const env = (extra: Record<string, string | undefined> = {}) => pair.env(extra);

    it("runs the bundle with only the secret env and relays the same events", async () => {
      const run = await runCli(
        ["migrate", `hf:${ORG}/${name}`, `ms:${ORG}/${name}`, "--runner", "process", "--yes", "--json"],
        env(),
      );
      assert.equal(run.code, 0, run.stderr);
      const [plan] = eventsOf(run, "plan") as { notes: string[]; copy: unknown[] }[];
      assert.ok(plan!.notes.some((n) => /separate process/.test(n)));
      assert.ok(!plan!.notes.some((n) => /runs locally/.test(n)));
      assert.equal(plan!.copy.length, 3);
      assert.equal((eventsOf(run, "summary")[0] as { files: number }).files, 3);
      const files = await (
        await fetch(`${ms.url}/api/v1/models/${ORG}/${name}/repo/files?Recursive=True`, {
          headers: { authorization: `Bearer ${USERS.alice.msToken}` },
        })
      ).json();
      assert.ok(
        (files as { Data: { Files: { Path: string }[] } }).Data.Files.some((f) => f.Path === "w/data.txt"),
      );
      for (const t of [USERS.alice.token, USERS.alice.msToken])
        assert.ok(!run.stdout.includes(t) && !run.stderr.includes(t));
    });

    it("fails clearly without the secret it needs: the worker's error comes back intact", async () => {
      const run = await runCli(
        ["migrate", `hf:${ORG}/${name}`, `ms:${ORG}/${name}`, "--runner", "process", "--yes", "--json"],
        env({ MODELSCOPE_API_TOKEN: undefined }),
      );
      assert.equal(run.code, 3, run.stderr);
      const [error] = eventsOf(run, "error") as { code: string; message: string }[];
      assert.equal(error!.code, "AUTH_MISSING");
      assert.match(run.stderr, /no ModelScope token/);
    });

    it("a batch runs one sandbox per repo and tabulates them", async () => {
      const run = await runCli(
        ["migrate", `hf:${ORG}`, `ms:${ORG}`, "--runner", "process", "--yes", "--json", "--include", name],
        env(),
      );
      assert.equal(run.code, 0, run.stderr);
      const rows = (eventsOf(run, "batch")[0] as { repos: { source: string; status: string }[] }).repos;
      assert.deepEqual(
        rows.map((r) => [r.source, r.status]),
        [[`hf:${ORG}/${name}`, "up-to-date"]],
      );
      const [plan] = eventsOf(run, "plan") as { notes: string[] }[];
      assert.ok(plan!.notes.some((n) => /separate process/.test(n)));
    });

    it("a sandbox run cannot prompt: without --yes or --dry-run it is refused", async () => {
      const run = await runCli(["migrate", `hf:${ORG}/${name}`, "--runner", "process"], env());
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--dry-run, then pass --yes/);
    });
  });
});

describe("the Modal provider, against a recording double of the SDK surface", () => {
  interface Call {
    what: string;
    args: unknown[];
  }

  function fakeModal(opts: { exitCode: number; chunks: string[]; failExec?: boolean }) {
    const calls: Call[] = [];
    const rec = (what: string, ...args: unknown[]) => calls.push({ what, args });
    const sandbox = {
      filesystem: { writeText: async (data: string, path: string) => rec("writeText", data.length, path) },
      exec: async (argv: string[], params: unknown) => {
        rec("exec", argv, params);
        if (opts.failExec) throw new Error("exec failed");
        return {
          stdout: new ReadableStream<string>({
            start(c) {
              for (const ch of opts.chunks) c.enqueue(ch);
              c.close();
            },
          }),
          stderr: new ReadableStream<string>({ start: (c) => c.close() }),
          wait: async () => opts.exitCode,
        };
      },
      terminate: async () => rec("terminate"),
    };
    class ModalClient {
      apps = {
        fromName: async (name: string, p: unknown) => (rec("apps.fromName", name, p), { appId: "ap-1" }),
      };
      images = { fromRegistry: (tag: string) => (rec("images.fromRegistry", tag), { imageId: "im-1" }) };
      secrets = {
        fromObject: async (entries: Record<string, string>) => (
          rec("secrets.fromObject", entries), { secretId: "st-1" }
        ),
      };
      sandboxes = {
        create: async (app: unknown, image: unknown, params: unknown) => (
          rec("sandboxes.create", app, image, params), sandbox
        ),
      };
      constructor() {
        rec("new ModalClient");
      }
    }
    return { calls, module: { ModalClient } as unknown as typeof import("modal") };
  }

  const plan = {
    event: "plan",
    source: "hf:a/b@1",
    destination: "ms:a/b",
    destinationUrl: "u",
    revision: "1",
    copy: [],
    present: 0,
    refused: [],
    delete: [],
    extra: null,
    bytes: 0,
    notes: [],
  };

  it("creates app, image, secret and a sandbox with the asked limits; writes the bundle; relays split lines; terminates", async () => {
    const line = JSON.stringify(plan);
    const summary = JSON.stringify({
      event: "summary",
      files: 0,
      bytes: 0,
      stored: 0,
      storedBytes: 0,
      skipped: 0,
      deleted: 0,
      seconds: 1,
      bytesPerSecond: 0,
      destinationUrl: "u",
      commits: [],
    });
    const fake = fakeModal({
      exitCode: 0,
      chunks: [line.slice(0, 10), `${line.slice(10)}\n${summary.slice(0, 5)}`, `${summary.slice(5)}\n`],
    });
    const events: TransferEvent[] = [];
    await runInSandbox({
      provider: new ModalProvider(async () => fake.module),
      args: ["migrate", "hf:a/b", "ms:a/b", "--yes"],
      settings,
      events: (e) => events.push(e),
      timeoutMs: 7200_000,
      region: "us-east",
      cpu: 2,
      memoryMiB: 4096,
    });
    const byName = (w: string) => fake.calls.find((c) => c.what === w)!;
    assert.deepEqual(byName("apps.fromName").args, ["hubferry", { createIfMissing: true }]);
    assert.deepEqual(byName("images.fromRegistry").args, ["node:22-slim"]);
    assert.deepEqual(byName("secrets.fromObject").args[0], {
      HF_ENDPOINT: settings.hfEndpoint,
      MODELSCOPE_ENDPOINT: settings.msEndpoint,
      HF_TOKEN: USERS.alice.token,
      MODELSCOPE_API_TOKEN: USERS.alice.msToken,
    });
    const params = byName("sandboxes.create").args[2] as {
      timeoutMs: number;
      regions: string[];
      cpu: number;
      memoryMiB: number;
      secrets: unknown[];
    };
    assert.deepEqual(
      [params.timeoutMs, params.regions, params.cpu, params.memoryMiB, params.secrets.length],
      [7200_000, ["us-east"], 2, 4096, 1],
    );
    assert.equal(byName("writeText").args[1], "/opt/hubferry/hubferry.mjs");
    const argv = byName("exec").args[0] as string[];
    assert.deepEqual(argv.slice(0, 2), ["node", "/opt/hubferry/hubferry.mjs"]);
    assert.ok(argv.includes("--json") && argv.includes("--runner"));
    assert.ok(
      !JSON.stringify(argv).includes("hf_") && !JSON.stringify(argv).includes("ms-alice"),
      "no token in argv",
    );
    assert.deepEqual(
      events.map((e) => e.event),
      ["plan", "summary"],
    );
    assert.equal(fake.calls.filter((c) => c.what === "terminate").length, 1);
  });

  it("a non-zero exit brings the remote error back; a failed exec still terminates the sandbox", async () => {
    const error = JSON.stringify({
      event: "error",
      code: "FORBIDDEN",
      message: "no write access",
      hint: "use another token",
    });
    const fake = fakeModal({ exitCode: 3, chunks: [`${JSON.stringify(plan)}\n${error}\n`] });
    await assert.rejects(
      runInSandbox({
        provider: new ModalProvider(async () => fake.module),
        args: ["migrate", "hf:a/b"],
        settings,
        events: () => {},
        timeoutMs: 60_000,
      }),
      (e: unknown) =>
        e instanceof HubferryError &&
        e.code === "FORBIDDEN" &&
        e.message === "no write access" &&
        e.hint === "use another token",
    );
    assert.equal(fake.calls.filter((c) => c.what === "terminate").length, 1);
    const broken = fakeModal({ exitCode: 0, chunks: [], failExec: true });
    await assert.rejects(
      runInSandbox({
        provider: new ModalProvider(async () => broken.module),
        args: ["migrate", "hf:a/b"],
        settings,
        events: () => {},
        timeoutMs: 60_000,
      }),
      /exec failed/,
    );
    assert.equal(broken.calls.filter((c) => c.what === "terminate").length, 1);
  });
});

describe("what a worker prints is checked before it is relayed", () => {
  it("only lines that are events of the schema pass; logs, broken JSON and wrong shapes do not", () => {
    const done = { event: "verify", files: 2, ok: true };
    assert.deepEqual(eventOf(JSON.stringify(done)), done);
    for (const line of [
      "hubferry: a log line",
      '{"event": "verify", "files": 2',
      JSON.stringify({ event: "verify", files: "2", ok: true }),
      JSON.stringify({ event: "plan", copy: "everything" }),
      JSON.stringify({ event: "made-up" }),
    ])
      assert.equal(eventOf(line), undefined, line);
  });
});

describe("Ctrl-C during a Modal run", () => {
  for (const when of ["while the worker runs", "before the sandbox is up"] as const)
    it(`terminates the sandbox and reports the run as cancelled (${when})`, async () => {
      const calls: string[] = [];
      let release!: () => void;
      const hang = new Promise<void>((r) => {
        release = r;
      });
      const sandbox = {
        filesystem: { writeText: async () => {} },
        exec: async () => ({
          stdout: new ReadableStream<string>({
            async pull(c) {
              await hang;
              c.close();
            },
          }),
          stderr: new ReadableStream<string>({ start: (c) => c.close() }),
          wait: async () => 137,
        }),
        terminate: async () => {
          calls.push("terminate");
          release();
        },
      };
      const module = {
        ModalClient: class {
          apps = { fromName: async () => ({}) };
          images = { fromRegistry: () => ({}) };
          secrets = { fromObject: async () => ({}) };
          sandboxes = { create: async () => sandbox };
        },
      } as unknown as typeof import("modal");
      const controller = new AbortController();
      // The second case is what a slow machine made of the first: the abort came before the listener.
      if (when === "before the sandbox is up") controller.abort();
      else setTimeout(() => controller.abort(), 50);
      await assert.rejects(
        runInSandbox({
          provider: new ModalProvider(async () => module),
          args: ["migrate", "hf:a/b"],
          settings,
          events: () => {},
          timeoutMs: 60_000,
          signal: controller.signal,
        }),
        (e: unknown) => e instanceof HubferryError && e.code === "CANCELLED",
      );
      assert.deepEqual(calls, ["terminate"]);
    });
});

describe("auth check --modal: Modal credentials verified with an authenticated call", () => {
  it("valid when the app lookup succeeds, refused with Modal's message when it fails", async () => {
    const ok = {
      ModalClient: class {
        apps = { fromName: async () => ({ appId: "ap-1" }) };
      },
    } as unknown as typeof import("modal");
    assert.deepEqual(await verifyModalCredentials(async () => ok), { valid: true });
    const refused = {
      ModalClient: class {
        apps = {
          fromName: async () => {
            throw new Error("UNAUTHENTICATED: invalid token");
          },
        };
      },
    } as unknown as typeof import("modal");
    const r = await verifyModalCredentials(async () => refused);
    assert.equal(r.valid, false);
    assert.match(String(r.problem), /UNAUTHENTICATED/);
  });
});
