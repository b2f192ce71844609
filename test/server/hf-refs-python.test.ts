import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HfHub } from "../../src/hubs/hf/hf-hub.js";
import { randomName } from "../helpers/fixtures.js";
import { startTestHub, type TestHub, USERS } from "../helpers/local-hub.js";
import { run, venvBin } from "../helpers/python.js";
import { seedHf } from "../helpers/seed.js";

/**
 * Branches, tags, refs, commit history and repo settings of the HF face, driven by the official
 * Python client (huggingface_hub), which decides what the answers must look like. One Python run
 * does every call and prints what it saw; each step's exception class tells the status it met.
 */
let hub: TestHub;
before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.stop();
});

const SCRIPT = `
import json, sys
from huggingface_hub import HfApi
api = HfApi(endpoint=sys.argv[1], token=sys.argv[2])
bob = HfApi(endpoint=sys.argv[1], token=sys.argv[3])
repo = sys.argv[4]
out = {}
def step(name, fn):
    try:
        r = fn()
        out[name] = {"ok": True, "value": r}
    except Exception as e:
        out[name] = {"ok": False, "error": type(e).__name__, "status": getattr(getattr(e, "response", None), "status_code", None)}
step("branch", lambda: api.create_branch(repo, branch="dev") and None)
step("branch_again", lambda: api.create_branch(repo, branch="dev") and None)
step("branch_exist_ok", lambda: api.create_branch(repo, branch="dev", exist_ok=True) and None)
step("branch_bob", lambda: bob.create_branch(repo, branch="evil") and None)
step("tag", lambda: api.create_tag(repo, tag="v1", revision="dev", tag_message="first") and None)
step("tag_again", lambda: api.create_tag(repo, tag="v1") and None)
def refs():
    r = api.list_repo_refs(repo, include_pull_requests=True)
    return {"branches": sorted(b.name for b in r.branches), "tags": [t.name for t in r.tags],
            "pulls": r.pull_requests, "same": len({b.target_commit for b in r.branches} | {t.target_commit for t in r.tags})}
step("refs", refs)
step("commits", lambda: [c.title for c in api.list_repo_commits(repo, revision="v1")])
step("delete_main", lambda: api.delete_branch(repo, branch="main") and None)
step("delete_missing", lambda: api.delete_branch(repo, branch="nope") and None)
step("delete_dev", lambda: api.delete_branch(repo, branch="dev") and None)
step("refs_after", lambda: sorted(b.name for b in api.list_repo_refs(repo).branches))
step("settings", lambda: api.update_repo_settings(repo, private=True, gated="auto") and None)
step("info_after", lambda: {"private": api.model_info(repo).private, "gated": api.model_info(repo).gated})
step("bob_sees", lambda: bob.model_info(repo).id)
print(json.dumps(out))
`;

describe("HF refs and settings through huggingface_hub", () => {
  it("branches, tags, refs, history and settings behave as the official client expects", async () => {
    const repo = `alice/${randomName("refs")}`;
    await seedHf(hub.url, USERS.alice.token, { type: "model", name: repo }, { "a.txt": Buffer.from("a\n") });
    const r = await run(
      venvBin("hf", "python"),
      ["-c", SCRIPT, hub.url, USERS.alice.token, USERS.bob.token, repo],
      { HF_HUB_DISABLE_TELEMETRY: "1", HF_HUB_OFFLINE: "0" },
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as Record<
      string,
      { ok: boolean; value?: unknown; error?: string; status?: number }
    >;
    assert.equal(out.branch?.ok, true, JSON.stringify(out.branch));
    assert.equal(out.branch_again?.status, 409, JSON.stringify(out.branch_again));
    assert.equal(out.branch_exist_ok?.ok, true, JSON.stringify(out.branch_exist_ok));
    assert.equal(out.branch_bob?.ok, false);
    assert.equal(out.branch_bob?.status, 403, JSON.stringify(out.branch_bob));
    assert.equal(out.tag?.ok, true, JSON.stringify(out.tag));
    assert.equal(out.tag_again?.status, 409, JSON.stringify(out.tag_again));
    assert.deepEqual(out.refs?.value, { branches: ["dev", "main"], tags: ["v1"], pulls: [], same: 1 });
    assert.ok(Array.isArray(out.commits?.value) && (out.commits.value as string[]).length >= 1);
    assert.equal(out.delete_main?.status, 403, JSON.stringify(out.delete_main));
    assert.equal(out.delete_missing?.error, "RevisionNotFoundError", JSON.stringify(out.delete_missing));
    assert.equal(out.delete_dev?.ok, true, JSON.stringify(out.delete_dev));
    assert.deepEqual(out.refs_after?.value, ["main"]);
    assert.equal(out.settings?.ok, true, JSON.stringify(out.settings));
    assert.deepEqual(out.info_after?.value, { private: true, gated: "auto" });
    assert.equal(out.bob_sees?.error, "RepositoryNotFoundError", JSON.stringify(out.bob_sees));

    // hubferry's own backend reads the same facts, and the tag names a commit it can read.
    const mine = await new HfHub(hub.url, USERS.alice.token).repoInfo(
      { hub: "hf", type: "model", id: repo, typeKnown: true },
      "v1",
    );
    assert.equal(mine.private, true);
    assert.equal(mine.gated, "auto");
    assert.match(mine.sha, /^[0-9a-f]{40}$/);
  });
});
