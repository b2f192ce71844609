// Checks that a destination repo holds every seeded file, byte for byte (sha256, or the git blob id
// where the hub lists only that), so that a fast result is never a broken copy. Extra files the
// method added are reported, not failed (the .gitattributes every new repo starts with is left out).
import { createHash } from "node:crypto";
import { join } from "node:path";
import { contentOf } from "./shapes.mjs";

const root = new URL("../..", import.meta.url).pathname;
const { HfHub } = await import(join(root, "dist/hubs/hf/hf-hub.js"));
const { MsHub } = await import(join(root, "dist/hubs/ms/ms-hub.js"));
const { parseRepoRef } = await import(join(root, "dist/core/repo-ref.js"));

const gitOid = (buf) => createHash("sha1").update(`blob ${buf.length}\0`).update(buf).digest("hex");

/** Returns the paths the destination has beyond the manifest; throws on a missing or wrong file. */
export async function verifyRepo({ face, url, token, repo }, manifest, what) {
  const hub = face === "hf" ? new HfHub(url, token) : new MsHub(url, token);
  const listed = await (await hub.source(parseRepoRef(`${face}:${repo}`))).list();
  const byPath = new Map(listed.map((f) => [f.path, f]));
  const problems = [];
  for (const f of manifest) {
    const got = byPath.get(f.path);
    byPath.delete(f.path);
    if (!got) problems.push(`${f.path} missing`);
    else if (got.size !== f.size) problems.push(`${f.path}: ${got.size} bytes, not ${f.size}`);
    else if (got.sha256 && got.sha256 !== f.sha256) problems.push(`${f.path}: wrong sha256`);
    else if (!got.sha256 && got.gitOid && f.kind !== "large" && got.gitOid !== gitOid(contentOf(f)))
      problems.push(`${f.path}: wrong git blob id`);
  }
  if (problems.length)
    throw new Error(
      `${what}: ${face}:${repo} is not a copy of the source: ${problems.slice(0, 5).join("; ")}`,
    );
  // Both hubs start a new repo with a .gitattributes; anything else is the method's own addition.
  return [...byPath.keys()].filter((p) => p !== ".gitattributes");
}
