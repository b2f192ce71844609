import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliRun, eventsOf, runCli } from "../helpers/cli.js";
import { pseudoRandom, type RepoFixture, randomName, sampleFixture, sha256 } from "../helpers/fixtures.js";
import { type HubPair, startHubPair, USERS } from "../helpers/local-hub.js";
import { type ReadBack, readBack } from "../helpers/read-back.js";

/**
 * `migrate --sandboxes N`: one repo's files dealt to N workers, each a sandbox of its own (the
 * `process` runner: the very bundle in a scrubbed child process), between two local hubs over real
 * HTTP. Workers upload; the coordinator alone commits; the official clients read the result back.
 */
let pair: HubPair;
let back: ReadBack;
before(async () => {
  pair = await startHubPair("sharded", ["--multipart-threshold", "2MB", "--multipart-chunk-size", "1MB"]);
  back = readBack({ hf: pair.hf.url, ms: pair.ms.url }, pair.work.path);
});
after(async () => {
  await pair?.stop();
});

const TOKENS = [USERS.alice.token, USERS.alice.msToken];

async function migrate(
  args: string[],
  opts: Parameters<typeof runCli>[2] = {},
  env: Record<string, string> = {},
): Promise<CliRun> {
  const run = await runCli(["migrate", ...args, "--json"], pair.env(env), { timeoutMs: 180_000, ...opts });
  for (const t of TOKENS) assert.ok(!(run.stdout + run.stderr).includes(t), "a token leaked into the output");
  return run;
}

function ok(run: CliRun): CliRun {
  assert.equal(run.code, 0, `migrate failed (${run.code}): ${run.stderr}\n${run.stdout.slice(-3000)}`);
  return run;
}

/** The sample repo plus several large files, so that dealing by bytes has something to balance. */
function bigFixture(seed: number): RepoFixture {
  const base = sampleFixture({ seed, multipartBytes: 3 * 1024 * 1024 + 11 });
  return {
    files: {
      ...base.files,
      "shards/a.safetensors": pseudoRandom(2 * 1024 * 1024 + 5, seed + 10),
      "shards/b.safetensors": pseudoRandom(1024 * 1024 + 3, seed + 11),
      "shards/c.safetensors": pseudoRandom(1536 * 1024, seed + 12),
      "shards/d.bin": pseudoRandom(700 * 1024, seed + 13),
    },
  };
}

type Dealt = { worker: number; files: number; bytes: number };
type Done = { path: string; worker?: number; method: string };

describe("migrate --sandboxes N (the process runner)", () => {
  const id = `alice/${randomName("shard")}`;
  const fixture = bigFixture(61);
  before(async () => {
    await back.seedHf(id, "model", fixture);
  });

  it("HF -> ModelScope over 3 workers: dealt largest first by bytes, one commit stream, byte-identical", async () => {
    const before = await pair.ms.stats();
    const run = ok(
      await migrate([`hf:${id}`, `ms:${id}`, "--runner", "process", "--sandboxes", "3", "--yes"]),
    );
    const [plan] = eventsOf(run, "plan") as {
      dealt: Dealt[];
      copy: { path: string; size: number }[];
      notes: string[];
      bytes: number;
    }[];
    assert.equal(plan!.dealt.length, 3);
    assert.equal(
      plan!.dealt.reduce((n, d) => n + d.bytes, 0),
      plan!.bytes,
      "every byte of the plan is dealt once",
    );
    assert.equal(
      plan!.dealt.reduce((n, d) => n + d.files, 0),
      plan!.copy.length,
    );
    // Largest first: the biggest file alone outweighs the rest of its share, so shares stay within it.
    const largest = Math.max(...plan!.copy.map((f) => f.size));
    const loads = plan!.dealt.map((d) => d.bytes);
    assert.ok(Math.max(...loads) - Math.min(...loads) <= largest, `balanced: ${loads.join(", ")}`);
    assert.ok(
      plan!.notes.some((n) => /up to 3 separate processes/.test(n)),
      plan!.notes.join("\n"),
    );

    const done = eventsOf(run, "file_done") as Done[];
    assert.deepEqual(
      done.map((d) => d.path).sort(),
      plan!.copy.map((f) => f.path).sort(),
      "each file is reported done once",
    );
    const uploaded = done.filter((d) => d.method !== "inline");
    assert.ok(uploaded.length >= 6);
    assert.ok(uploaded.every((d) => d.worker !== undefined && d.worker >= 1 && d.worker <= 3));
    assert.equal(new Set(uploaded.map((d) => d.worker)).size, 3, "every worker uploaded");
    assert.ok(
      done.filter((d) => d.method === "inline").every((d) => d.worker === undefined),
      "inline files travel in the coordinator's commit",
    );
    const workers = eventsOf(run, "worker") as { worker: number; state: string }[];
    assert.deepEqual(
      workers
        .filter((w) => w.state === "done")
        .map((w) => w.worker)
        .sort(),
      [1, 2, 3],
    );

    // The coordinator alone commits: as many commits on the hub as commit events, none from workers.
    const commits = eventsOf(run, "commit");
    const after = await pair.ms.stats();
    assert.equal((after["ms.commit"] ?? 0) - (before["ms.commit"] ?? 0), commits.length);
    assert.equal(eventsOf(run, "verify")[0]!.ok, true);
    assert.equal((eventsOf(run, "summary")[0] as { files: number }).files, plan!.copy.length);
    await back.assertOnMs(id, "model", fixture);

    // A re-run moves nothing and starts no worker.
    const again = ok(
      await migrate([`hf:${id}`, `ms:${id}`, "--runner", "process", "--sandboxes", "3", "--yes"]),
    );
    assert.deepEqual((eventsOf(again, "plan")[0] as { copy: unknown[] }).copy, []);
    assert.equal(eventsOf(again, "worker").length, 0);
  });

  it("ModelScope -> HF over 2 workers, commits in verified batches, byte-identical", async () => {
    const msId = `alice/${randomName("shard-ms")}`;
    const msFixture = bigFixture(71);
    await back.seedMs(msId, "model", msFixture);
    const run = ok(
      await migrate([
        `ms:${msId}`,
        `hf:${msId}`,
        "--runner",
        "process",
        "--sandboxes",
        "2",
        "--batch-files",
        "4",
        "--yes",
      ]),
    );
    const commits = eventsOf(run, "commit") as { files: number }[];
    assert.ok(commits.length >= 3, `batches of at most 4 files: ${commits.map((c) => c.files).join(", ")}`);
    assert.ok(commits.every((c) => c.files <= 4 + 0));
    await back.assertOnHf(msId, "model", msFixture);
  });

  it("--dry-run plans and deals but starts no worker and writes nothing", async () => {
    const dryId = `alice/${randomName("shard-dry")}`;
    await back.seedHf(dryId, "model", bigFixture(81));
    const run = ok(
      await migrate([`hf:${dryId}`, `ms:${dryId}`, "--runner", "process", "--sandboxes", "4", "--dry-run"]),
    );
    const [plan] = eventsOf(run, "plan") as { dealt: Dealt[] }[];
    assert.equal(plan!.dealt.length, 4);
    assert.equal(eventsOf(run, "worker").length, 0);
    assert.equal(eventsOf(run, "commit").length, 0);
  });

  it("a worker whose uploads keep failing hands its files to a new worker; the run still ends byte-identical", async () => {
    const failId = `alice/${randomName("shard-fail")}`;
    const failFixture = bigFixture(91);
    await back.seedHf(failId, "model", failFixture);
    // Every attempt at one file's upload is refused with a 500: its worker gives up on it after its
    // 3 attempts, and the file goes to a fresh worker, whose upload the rule no longer touches.
    const oid = sha256(failFixture.files["shards/a.safetensors"]!);
    await pair.ms.fault({ route: "ms.blob-put", path: oid, kind: "status", status: 500, times: 3 });
    const run = ok(
      await migrate([`hf:${failId}`, `ms:${failId}`, "--runner", "process", "--sandboxes", "2", "--yes"]),
    );
    await pair.ms.clearFaults();
    const workers = eventsOf(run, "worker") as {
      worker: number;
      state: string;
      replaces?: number;
      next?: string;
    }[];
    const failed = workers.find((w) => w.state === "failed");
    assert.ok(failed, "a worker failed");
    assert.match(failed!.next!, /handed to worker 3/);
    assert.ok(workers.some((w) => w.state === "started" && w.worker === 3 && w.replaces === failed!.worker));
    const done = (eventsOf(run, "file_done") as Done[]).find((d) => d.path === "shards/a.safetensors");
    assert.equal(done!.worker, 3);
    await back.assertOnMs(failId, "model", failFixture);
  });

  it("Ctrl-C stops every worker: exit 130, no sandbox left, and a re-run finishes", async () => {
    const cutId = `alice/${randomName("shard-cut")}`;
    const cutFixture = bigFixture(101);
    await back.seedHf(cutId, "model", cutFixture);
    await pair.ms.fault({ route: "ms.blob-put", kind: "throttle", bytesPerSecond: 256 * 1024, times: 100 });
    // The workers' scratch folders go to a TMPDIR of this test's own (other test files run at once).
    const tmp = join(pair.work.path, `tmp-${randomName("t")}`);
    await mkdir(tmp);
    const sandboxes = async () => (await readdir(tmp)).filter((d) => d.startsWith("hubferry-sandbox-"));
    let sent = false;
    let sawSandbox = false;
    const run = await migrate(
      [`hf:${cutId}`, `ms:${cutId}`, "--runner", "process", "--sandboxes", "3", "--yes"],
      {
        onEvent: (e, kill) => {
          if (!sent && e.event === "file_progress" && e.worker !== undefined) {
            sent = true;
            sawSandbox = readdirSync(tmp).some((d) => d.startsWith("hubferry-sandbox-"));
            kill("SIGINT");
          }
        },
      },
      { TMPDIR: tmp },
    );
    await pair.ms.clearFaults();
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /cancelled/);
    assert.ok(sawSandbox, "the workers ran in sandboxes under this TMPDIR");
    assert.deepEqual(await sandboxes(), [], "every worker's sandbox was ended and removed");
    ok(await migrate([`hf:${cutId}`, `ms:${cutId}`, "--runner", "process", "--sandboxes", "3", "--yes"]));
    await back.assertOnMs(cutId, "model", cutFixture);
  });
});

describe("migrate --sandboxes N: what it refuses, and sync", () => {
  const id = `alice/${randomName("shard-sync")}`;
  const fixture = bigFixture(111);
  before(async () => {
    await back.seedHf(id, "model", fixture);
  });

  it("refuses with exit 2 and says what to do: no sandbox runner, a batch, a count out of range, a typed work order", async () => {
    const cases: [string[], RegExp][] = [
      [
        [`hf:${id}`, "--runner", "local", "--sandboxes", "2", "--yes"],
        /needs a sandbox runner[\s\S]*--runner modal/,
      ],
      [
        ["hf:alice", "--runner", "process", "--sandboxes", "2", "--yes"],
        /a batch already runs one sandbox per repo/,
      ],
      [
        [`hf:${id}`, "--runner", "process", "--sandboxes", "0", "--yes"],
        /--sandboxes: "0" is not a whole number \(1-100\)/,
      ],
      [[`hf:${id}`, "--runner", "process", "--sandboxes", "101", "--yes"], /1-100/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(["migrate", ...args], pair.env());
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
    const typed = await runCli(
      ["migrate", `hf:${id}`, `ms:${id}`, "--revision", "main", "--work-order", "-", "--json"],
      pair.env(),
      { input: '{"worker": 1, "files": [{"path": "../etc/passwd"}]}' },
    );
    assert.equal(typed.code, 2, typed.stderr);
    assert.match(typed.stderr, /the work order is not valid: files\.0\.size/);
    for (const [extra, input, message] of [
      [["--revision", "main", "--work-order", "-"], "not json", /the work order is not JSON/],
      [
        ["--revision", "main", "--work-order", "order.json"],
        "{}",
        /--work-order takes - \(the order on stdin\)/,
      ],
      [["--work-order", "-"], "{}", /--work-order needs --revision/],
    ] as [string[], string, RegExp][]) {
      const bad = await runCli(["migrate", `hf:${id}`, `ms:${id}`, ...extra, "--json"], pair.env(), {
        input,
      });
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, message);
    }
    const absent = await runCli(
      ["migrate", `hf:${id}`, `ms:${id}`, "--revision", "main", "--work-order", "-", "--json"],
      pair.env(),
      { input: '{"worker": 1, "files": [{"path": "not/there.bin", "size": 3}]}' },
    );
    assert.equal(absent.code, 2, absent.stderr);
    assert.match(absent.stderr, /names not\/there\.bin, which hf:alice\/\S+ at main does not have/);
  });

  it("sync --delete --sandboxes 2: the deletions ride in the coordinator's last commit; people see the deal and the workers", async () => {
    const dest = `alice/${randomName("shard-sync-dest")}`;
    // The destination has a file the source lacks: sync --delete removes it.
    await back.seedMs(dest, "model", { files: { "stale.txt": Buffer.from("old\n") } });
    const run = await runCli(
      ["sync", `hf:${id}`, `ms:${dest}`, "--runner", "process", "--sandboxes", "2", "--delete"],
      pair.env(),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /dealt: +largest first, by bytes: worker 1: \d+ file\(s\), [\d.]+ [KM]B; worker 2:/,
    );
    assert.match(run.stdout, /1 deleted/);
    await back.assertOnMs(dest, "model", fixture);
  });
});
