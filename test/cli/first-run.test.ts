import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { deleteFile } from "@huggingface/hub";
import { eventsOf, runCli } from "../helpers/cli.js";
import { randomName } from "../helpers/fixtures.js";
import { type HubPair, startHubPair, USERS } from "../helpers/local-hub.js";
import { seedHf } from "../helpers/seed.js";

/** What a new user types first, through the real CLI against two local hubs. */
let pair: HubPair;
const name = randomName("first");
const id = `alice/${name}`;

before(async () => {
  pair = await startHubPair("first-run");
  await seedHf(
    pair.hf.url,
    USERS.alice.token,
    { type: "model", name: id },
    {
      "README.md": Buffer.from("# first\n"),
      "config.json": Buffer.from("{}\n"),
    },
  );
});
after(() => pair?.stop());

describe("the first run", () => {
  it("filters that select nothing of a non-empty source are exit 2, naming them, and create nothing", async () => {
    const r = await runCli(
      ["migrate", `hf:${id}`, "--to", "ms", "--include", "*.nothing", "--yes"],
      pair.env(),
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--include '\*\.nothing' select none of the \d+ file\(s\)/);
    const info = await fetch(`${pair.ms.url}/api/v1/models/${id}`, {
      headers: { authorization: `Bearer ${USERS.alice.msToken}` },
    });
    const body = (await info.json()) as { Code?: number; Success?: boolean };
    assert.ok(info.status === 404 || body.Success === false, "no destination repo was created");
    const s = await runCli(
      ["sync", `hf:${id}`, `ms:${id}`, "--exclude", "*", "--exclude", "*.*"],
      pair.env(),
    );
    assert.equal(s.code, 2, s.stderr);
    // The siblings: pull and push say the same, and write nothing.
    const hfHome = join(pair.work.path, "empty-pull");
    const p = await runCli(["pull", "model", id, "--include", "*.nothing"], {
      ...pair.env(),
      HF_HOME: hfHome,
    });
    assert.equal(p.code, 2, p.stderr);
    assert.match(p.stderr, /--include '\*\.nothing' select none of the \d+ file\(s\)/);
    assert.equal(existsSync(join(hfHome, "hub")), false, "nothing was cached");
    const dir = join(pair.work.path, "empty-push");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "README.md"), "# x\n");
    const u = await runCli(
      ["push", "model", dir, "--repo", `alice/${name}-none`, "--exclude", "*.md"],
      pair.env(),
    );
    assert.equal(u.code, 2, u.stderr);
    assert.match(u.stderr, /--exclude '\*\.md' select none of the 1 file\(s\)/);
  });

  it("sync takes --yes as scripts written for migrate pass it", async () => {
    const r = await runCli(["sync", `hf:${id}`, `ms:${id}`, "--yes"], pair.env());
    assert.equal(r.code, 0, r.stderr);
  });

  it("a URL's revision is used, not dropped: a missing one is exit 4 naming it", async () => {
    // The URL names huggingface.co; the endpoint itself comes from HF_ENDPOINT, as for the official clients.
    const r = await runCli(["migrate", `https://huggingface.co/${id}/tree/nope`, "--yes"], pair.env());
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /nope/);
  });

  it("push names what it skips and why: links and special files", async () => {
    const dir = join(pair.work.path, "with-link");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "README.md"), "# linked\n");
    await symlink("/etc/hostname", join(dir, "outside.txt"));
    const r = await runCli(["push", "model", dir, "--repo", `alice/${name}-push`, "--dry-run"], pair.env());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /skips outside\.txt: a symbolic link/);
  });

  it("sync without --delete says how many extra files the destination keeps, and that --delete removes them", async () => {
    const src = `alice/${name}-extra`;
    await seedHf(
      pair.hf.url,
      USERS.alice.token,
      { type: "model", name: src },
      { "README.md": Buffer.from("# extra\n"), "a.txt": Buffer.from("a\n"), "b.txt": Buffer.from("b\n") },
    );
    assert.equal((await runCli(["sync", `hf:${src}`, `ms:${src}`], pair.env())).code, 0);
    await deleteFile({
      repo: { type: "model", name: src },
      path: "b.txt",
      accessToken: USERS.alice.token,
      hubUrl: pair.hf.url,
    });
    const kept = await runCli(["sync", `hf:${src}`, `ms:${src}`], pair.env());
    assert.equal(kept.code, 0, kept.stderr);
    assert.doesNotMatch(kept.stdout, /nothing to do/);
    assert.match(
      kept.stdout,
      /1 file\(s\) in the destination are not in the source \(sync --delete removes them\)/,
    );
    const json = await runCli(["sync", `hf:${src}`, `ms:${src}`, "--json"], pair.env());
    assert.deepEqual(eventsOf(json, "plan")[0]?.extra, { count: 1, hint: "sync --delete removes them" });
    const migrateRun = await runCli(["migrate", `hf:${src}`, `ms:${src}`, "--yes"], pair.env());
    assert.match(
      migrateRun.stdout,
      /1 file\(s\) in the destination .*hubferry sync --delete makes the destination equal/,
    );
    const removed = await runCli(["sync", `hf:${src}`, `ms:${src}`, "--delete"], pair.env());
    assert.equal(removed.code, 0, removed.stderr);
    const again = await runCli(["sync", `hf:${src}`, `ms:${src}`], pair.env());
    assert.match(again.stdout, /already in sync .*nothing to do/);
  });

  it("hints name what exists: search takes plurals", async () => {
    const r = await runCli(["search", "bogus"], pair.env());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /use models, datasets or spaces/);
  });
});
