import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliRun, runCli } from "../helpers/cli.js";
import { randomName, sampleFixture } from "../helpers/fixtures.js";
import { type HubPair, startHubPair, USERS } from "../helpers/local-hub.js";
import { runPython } from "../helpers/python.js";
import { type ReadBack, readBack } from "../helpers/read-back.js";

/**
 * ModelScope datasets are listed through `repo/tree` only (the site, and the local hub, answer
 * `repo/files` for a dataset with 405): ms -> hf and back, read back by the official clients.
 */
let pair: HubPair;
let back: ReadBack;
before(async () => {
  pair = await startHubPair("ms-datasets");
  back = readBack({ hf: pair.hf.url, ms: pair.ms.url }, pair.work.path);
});
after(async () => {
  await pair?.stop();
});

function ok(run: CliRun): CliRun {
  assert.equal(run.code, 0, `failed (${run.code}): ${run.stderr}\n${run.stdout.slice(-2000)}`);
  return run;
}

describe("ModelScope datasets through repo/tree", () => {
  const fixture = sampleFixture({ seed: 77, multipartBytes: 1_200_000 });
  const id = `alice/${randomName("msds")}`;

  it("ms:datasets -> hf:datasets -> ms:datasets, byte for byte, and the SDK lists the dataset", async () => {
    await back.seedMs(id, "dataset", fixture);
    const res = await fetch(
      `${pair.ms.url}/api/v1/datasets/${id}/repo/files?Revision=master&Recursive=True`,
      {
        headers: { authorization: `Bearer ${USERS.alice.msToken}` },
      },
    );
    assert.equal(res.status, 405, "a dataset's repo/files is refused, as on the site");
    await res.text();
    // ModelScope's dataset .gitattributes does not cover every LFS path of the fixture: the HF hub
    // appends lines for them. The destination's .gitattributes is its own, so this verifies.
    const args = ["migrate", `ms:datasets/${id}`, `hf:datasets/${id}`];
    ok(await runCli([...args, "--yes", "--json"], pair.env()));
    await back.assertOnHf(id, "dataset", fixture);
    const again = `alice/${randomName("msds-back")}`;
    ok(await runCli(["migrate", `hf:datasets/${id}`, `ms:datasets/${again}`, "--yes", "--json"], pair.env()));
    await back.assertOnMs(again, "dataset", fixture);
    const listed = await runPython<{
      ok: boolean;
      files: { path: string; type: string }[];
      message?: string;
    }>(
      "msnew",
      "ms_client.py",
      { op: "list_repo_files", repo_id: again, repo_type: "dataset", endpoint: pair.ms.url },
      {
        HOME: join(pair.work.path, "mslist"),
        MODELSCOPE_ENDPOINT: pair.ms.url,
        MODELSCOPE_API_TOKEN: USERS.alice.msToken,
      },
    );
    assert.equal(listed.ok, true, listed.message);
    const paths = listed.files.filter((f) => f.type !== "tree").map((f) => f.path);
    for (const path of Object.keys(fixture.files))
      assert.ok(paths.includes(path), `${path} listed by the SDK`);
  });
});
