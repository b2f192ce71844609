import type { Plan } from "./plan.js";
import type { TransferDestination } from "./types.js";

/**
 * After the last commit, the destination is listed again and every copied file must be there
 * with its size and hash: what the engine believes it did is checked against what the hub says.
 * A file the destination owns (a hub's `.gitattributes`, which it rewrites) need only be there.
 */
export async function verifyDestination(
  plan: Plan,
  dest: TransferDestination,
  copiedSha256: Map<string, string>,
  deleted: string[] = [],
): Promise<{ ok: boolean; problems: string[] }> {
  const listed = new Map((await dest.list()).map((f) => [f.path, f]));
  const problems: string[] = [];
  for (const f of [...plan.copy, ...plan.present]) {
    const d = listed.get(f.path);
    if (!d) {
      problems.push(`${f.path}: missing on the destination`);
      continue;
    }
    if (plan.owned.includes(f.path)) continue;
    if (d.size !== f.size)
      problems.push(`${f.path}: ${d.size} bytes on the destination, ${f.size} at the source`);
    const sha = f.sha256 ?? copiedSha256.get(f.path);
    if (sha && d.sha256 && d.sha256 !== sha) problems.push(`${f.path}: sha256 differs on the destination`);
    if (!d.sha256 && f.gitOid && d.gitOid && d.gitOid !== f.gitOid)
      problems.push(`${f.path}: content differs on the destination`);
  }
  for (const p of deleted)
    if (listed.has(p)) problems.push(`${p}: still on the destination after its deletion`);
  return { ok: problems.length === 0, problems };
}
