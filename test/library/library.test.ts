import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  executePlan,
  formatRef,
  HfHub,
  HubferryError,
  type LocalHub,
  loadSettings,
  localFolderDestination,
  localFolderSource,
  MsHub,
  migrate,
  parseRepoRef,
  planTransfer,
  REPO_TYPES,
  type RepoRef,
  startLocalHub,
  type TransferEvent,
  UserTable,
} from "../../src/index.js";
import { pseudoRandom, randomName, readTree, treeDiff, writeFixture } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * hubferry as a library, the way README shows it: everything comes from the package entry
 * (src/index.ts). Two local hubs run in this process (one plays huggingface.co, the other
 * modelscope.cn); `migrate()` moves a repo between them over real HTTP.
 */
const TOKENS = { hf: "hf_lib_alice_0001", ms: "ms-lib-alice-0001", reader: "hf_lib_reader_0002" };
let hfHub: LocalHub;
let msHub: LocalHub;
let work: { path: string; cleanup: () => Promise<void> };

function users(): UserTable {
  return UserTable.fromFile({
    users: [
      {
        name: "alice",
        // The fault routes (to corrupt a download on purpose) are an admin's.
        admin: true,
        orgs: ["acme"],
        tokens: [
          { name: "w", value: TOKENS.hf, role: "write" },
          { name: "m", value: TOKENS.ms, role: "write" },
        ],
      },
      { name: "reader", admin: false, orgs: [], tokens: [{ name: "r", value: TOKENS.reader, role: "read" }] },
    ],
    orgs: [{ name: "acme", fullname: "Acme" }],
  });
}

before(async () => {
  work = await tempDir("library");
  [hfHub, msHub] = await Promise.all([
    startLocalHub({ root: `${work.path}/hf-store`, users: users(), enableFaults: true }),
    startLocalHub({ root: `${work.path}/ms-store`, users: users() }),
  ]);
});
after(async () => {
  await Promise.all([hfHub?.close(), msHub?.close()]);
  await work?.cleanup();
});

const settings = () =>
  loadSettings({
    HOME: work.path,
    HF_HOME: `${work.path}/hf-home`,
    HF_ENDPOINT: `${hfHub.url}/`,
    MODELSCOPE_ENDPOINT: msHub.url,
    HF_TOKEN: ` ${TOKENS.hf} `,
    MODELSCOPE_API_TOKEN: TOKENS.ms,
  });

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

/** Every file of a hub repo, read back through the library's own source. */
async function repoFiles(hub: HfHub | MsHub, ref: RepoRef): Promise<Record<string, Buffer>> {
  const src = await hub.source(ref);
  const out: Record<string, Buffer> = {};
  for (const f of await src.list())
    out[f.path] = f.size === 0 ? Buffer.alloc(0) : await readAll(await src.read(f.path, 0, f.size - 1));
  return out;
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** A source repo on the HF side, written with the library's folder source and HfHub destination. */
async function seed(id: string, files: Record<string, Buffer>): Promise<RepoRef> {
  const dir = `${work.path}/${randomName("seed")}`;
  await writeFixture(dir, { files });
  const ref = parseRepoRef(`hf:${id}`);
  const hub = new HfHub(hfHub.url, TOKENS.hf);
  await hub.createRepo(ref, { private: false });
  const src = await localFolderSource(dir);
  const dest = hub.destination(ref);
  await executePlan(await planTransfer(src, dest), src, dest, {
    signal: new AbortController().signal,
    events: () => {},
    commitMessage: () => "seed",
  });
  return ref;
}

describe("the library entry", () => {
  it("exports what README promises, and repo refs round-trip", () => {
    assert.deepEqual([...REPO_TYPES].sort(), ["dataset", "model", "space"]);
    const ref = parseRepoRef("hf:datasets/acme/rows");
    assert.deepEqual(
      { hub: ref.hub, type: ref.type, id: ref.id, typeKnown: ref.typeKnown },
      { hub: "hf", type: "dataset", id: "acme/rows", typeKnown: true },
    );
    assert.equal(formatRef(ref), "hf:datasets/acme/rows");
    assert.equal(formatRef(parseRepoRef("ms:alice/m")), "ms:alice/m");
    assert.throws(() => parseRepoRef("hf:not a repo"), HubferryError);
    const s = settings();
    assert.equal(s.hfEndpoint, hfHub.url, "a trailing slash is dropped");
    assert.equal(s.hfToken, TOKENS.hf, "surrounding blanks are dropped");
    assert.equal(s.hfTokenSource, "HF_TOKEN");
    assert.equal(s.msEndpoint, msHub.url);
  });

  it("migrate(): HF -> ModelScope, byte for byte, with the plan, the result and the events", async () => {
    const files: Record<string, Buffer> = {
      "README.md": Buffer.from("---\nlicense: apache-2.0\n---\n# lib\n"),
      "config.json": Buffer.from('{"a": 1}\n'),
      "nested/empty.txt": Buffer.alloc(0),
      "model.safetensors": pseudoRandom(300_000, 3),
      // Over the 10 MiB in-memory limit: streamed with its hash checked on the way.
      "big/weights.bin": pseudoRandom(11 * 1024 * 1024 + 7, 4),
    };
    const name = randomName("lib");
    const source = await seed(`alice/${name}`, files);
    const destination = parseRepoRef(`ms:alice/${name}`);
    const events: TransferEvent[] = [];
    const { plan, result, destinationUrl } = await migrate({
      source,
      destination,
      settings: settings(),
      events: (e) => events.push(e),
    });
    assert.deepEqual(plan.copy.map((f) => f.path).sort(), [".gitattributes", ...Object.keys(files)].sort());
    assert.equal(result?.files, plan.copy.length);
    assert.ok((result?.bytes ?? 0) >= 11 * 1024 * 1024);
    assert.equal(destinationUrl, `${msHub.url}/models/alice/${name}`);
    assert.ok(events.some((e) => e.event === "plan"));
    assert.ok(events.some((e) => e.event === "commit"));
    assert.ok(events.some((e) => e.event === "verify" && e.ok));

    const got = await repoFiles(new MsHub(msHub.url, TOKENS.ms), destination);
    for (const [path, content] of Object.entries(files)) {
      assert.ok(got[path], `${path} missing on ModelScope`);
      assert.equal(sha(got[path]), sha(content), path);
    }
    const info = await new MsHub(msHub.url, TOKENS.ms).repoInfo(destination);
    assert.equal(info.private, false, "created public, as the source");

    // A second run finds everything in place and writes nothing.
    const again = await migrate({ source, destination, settings: settings(), events: () => {} });
    assert.equal(again.plan.copy.length, 0);
    assert.equal(again.result?.files ?? 0, 0);
    assert.equal(again.result?.commits.length ?? 0, 0);
  });

  it("a corrupted download is caught by its hash, retried, and the destination still gets the right bytes", async () => {
    const big = pseudoRandom(11 * 1024 * 1024, 9);
    const name = randomName("lib");
    const source = await seed(`alice/${name}`, { "w.bin": big });
    const res = await fetch(`${hfHub.url}/_hubferry/faults`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKENS.hf}` },
      body: JSON.stringify({ route: "hf.object", kind: "corrupt", afterBytes: 5_000_000, times: 1 }),
    });
    assert.equal(res.status, 200, await res.text());
    const destination = parseRepoRef(`ms:alice/${name}`);
    const { result } = await migrate({ source, destination, settings: settings(), events: () => {} });
    assert.equal(result?.files, 2);
    const got = await repoFiles(new MsHub(msHub.url, TOKENS.ms), destination);
    assert.equal(sha(got["w.bin"]!), sha(big));
    const rules = (await (
      await fetch(`${hfHub.url}/_hubferry/faults`, { headers: { authorization: `Bearer ${TOKENS.hf}` } })
    ).json()) as {
      rules: { hits: number }[];
    };
    assert.equal(rules.rules[0]?.hits, 1, "the fault really fired");
  });

  it("dryRun plans and writes nothing; a declined confirm is NOT_CONFIRMED and writes nothing", async () => {
    const name = randomName("lib");
    const source = await seed(`alice/${name}`, { "a.txt": Buffer.from("a\n") });
    const destination = parseRepoRef(`ms:alice/${name}`);
    const dry = await migrate({ source, destination, settings: settings(), events: () => {}, dryRun: true });
    assert.deepEqual(dry.plan.copy.map((f) => f.path).sort(), [".gitattributes", "a.txt"]);
    assert.equal(dry.result, undefined);
    let asked = 0;
    await assert.rejects(
      migrate({
        source,
        destination,
        settings: settings(),
        events: () => {},
        confirm: async (plan) => {
          asked++;
          assert.equal(plan.copy.length, 2);
          return false;
        },
      }),
      { code: "NOT_CONFIRMED" },
    );
    assert.equal(asked, 1);
    await assert.rejects(new MsHub(msHub.url, TOKENS.ms).repoInfo(destination), { code: "REPO_NOT_FOUND" });
  });

  it("include/exclude choose the files; the type is detected when not given", async () => {
    const name = randomName("lib");
    await seed(`alice/${name}`, {
      "keep/a.json": Buffer.from("{}"),
      "keep/b.bin": Buffer.from("bb"),
      "drop/c.json": Buffer.from("{}"),
    });
    const source = parseRepoRef(`alice/${name}`, { defaultHub: "hf" });
    const destination = parseRepoRef(`ms:alice/${name}-sub`);
    const { plan } = await migrate({
      source: { ...source, typeKnown: false },
      destination,
      include: ["keep/**"],
      exclude: ["**/*.bin"],
      settings: settings(),
      events: () => {},
    });
    assert.deepEqual(
      plan.copy.map((f) => f.path),
      ["keep/a.json"],
    );
    const got = await repoFiles(new MsHub(msHub.url, TOKENS.ms), destination);
    assert.equal(got["keep/a.json"]?.toString(), "{}");
    assert.equal(got["keep/b.bin"], undefined);
    assert.equal(got["drop/c.json"], undefined);
  });

  it("--include/--exclude match as huggingface_hub's fnmatch does: `*` crosses folders (`*.bin` drops nested .bin files)", async () => {
    const dir = `${work.path}/${randomName("globs")}`;
    await writeFixture(dir, {
      files: {
        "keep/a.json": Buffer.from("{}"),
        "keep/b.bin": Buffer.from("b"),
        "keep/sub/c.json": Buffer.from("{}"),
        "top.bin": Buffer.from("t"),
      },
    });
    const plan = await planTransfer(await localFolderSource(dir), localFolderDestination(`${dir}-out`), {
      include: ["keep/*"],
      exclude: ["*.bin"],
    });
    assert.deepEqual(
      plan.copy.map((f) => f.path),
      ["keep/a.json", "keep/sub/c.json"],
    );
  });

  it("ModelScope -> HF, and back out to a local folder: the same bytes all the way", async () => {
    const files = { "README.md": Buffer.from("# ms\n"), "data/x.bin": pseudoRandom(50_000, 12) };
    const name = randomName("lib");
    const ms = new MsHub(msHub.url, TOKENS.ms);
    const msRef = parseRepoRef(`ms:datasets/alice/${name}`);
    await ms.createRepo(msRef, { private: true });
    const dir = `${work.path}/${name}-src`;
    await writeFixture(dir, { files });
    const local = await localFolderSource(dir);
    await executePlan(await planTransfer(local, ms.destination(msRef)), local, ms.destination(msRef), {
      signal: new AbortController().signal,
      events: () => {},
      commitMessage: () => "seed",
    });
    const hfRef = parseRepoRef(`hf:datasets/acme/${name}`);
    const { result } = await migrate({
      source: msRef,
      destination: hfRef,
      settings: settings(),
      events: () => {},
    });
    assert.ok((result?.files ?? 0) >= 2);
    const hf = new HfHub(hfHub.url, TOKENS.hf);
    assert.equal((await hf.repoInfo(hfRef)).private, true, "private, as the source");
    const out = `${work.path}/${name}-out`;
    const src = await hf.source(hfRef);
    const dest = localFolderDestination(out);
    await executePlan(await planTransfer(src, dest), src, dest, {
      signal: new AbortController().signal,
      events: () => {},
      commitMessage: () => "pull",
    });
    assert.deepEqual(treeDiff(files, await readTree(out, (p) => p === ".gitattributes")), []);
  });

  it("a read-only destination token is refused before anything is read or created", async () => {
    const name = randomName("lib");
    // The source does not even exist: the destination token is checked first.
    const err = await migrate({
      source: parseRepoRef(`ms:alice/${name}`),
      destination: parseRepoRef(`hf:alice/${name}-copy`),
      settings: { ...settings(), hfToken: TOKENS.reader },
      events: () => {},
    }).then(
      () => assert.fail("expected a refusal"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof HubferryError);
    assert.equal(err.code, "FORBIDDEN");
    assert.match(err.message, /read-only/);
    assert.ok(!err.message.includes(TOKENS.reader));
    await assert.rejects(new HfHub(hfHub.url, TOKENS.hf).repoInfo(parseRepoRef(`hf:alice/${name}-copy`)), {
      code: "REPO_NOT_FOUND",
    });
  });

  it("a destination under someone else's HF namespace is FORBIDDEN, naming the owner", async () => {
    const name = randomName("lib");
    await seed(`alice/${name}`, { "a.txt": Buffer.from("a") });
    const ms = new MsHub(msHub.url, TOKENS.ms);
    await ms.createRepo(parseRepoRef(`ms:alice/${name}`), { private: false });
    await assert.rejects(
      migrate({
        source: parseRepoRef(`ms:alice/${name}`),
        destination: parseRepoRef(`hf:bob/${name}`),
        settings: settings(),
        events: () => {},
      }),
      (e: unknown) => e instanceof HubferryError && e.code === "FORBIDDEN" && /under "bob"/.test(e.message),
    );
  });
});
