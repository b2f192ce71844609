import { z } from "zod";
import { type RequestContext, readJson, sendJson } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { paginate } from "../http/paginate.js";
import type { Commit, RepoMeta } from "../store/repo-store.js";
import { commitLock, parseBody } from "./hf-body.js";
import { hfRepo } from "./hf-repo-access.js";

type Refs = Record<string, string>;

function allRefs(meta: RepoMeta): [Refs, string][] {
  return [
    [meta.branches, "refs/heads/"],
    [meta.tags, "refs/tags/"],
    [meta.pullRequests, ""],
  ];
}

/** `GET /api/{type}s/{id}/lfs-files`: each LFS object reachable from a ref, once, oldest push first. */
export async function listLfsFiles(ctx: RequestContext): Promise<void> {
  const meta = hfRepo(ctx, { write: true });
  const seen = new Map<string, Record<string, unknown>>();
  for (const [refs, prefix] of allRefs(meta)) {
    for (const [name, head] of Object.entries(refs)) {
      const chain = await ctx.hub.repos.history(meta, head, 10_000);
      for (const h of chain.reverse()) {
        // One commit's files at a time: the history itself holds only headers.
        const c = await ctx.hub.repos.loadCommit(meta, h.id);
        if (!c) continue;
        for (const [path, f] of Object.entries(c.files)) {
          if (!f.lfs || seen.has(f.sha256)) continue;
          seen.set(f.sha256, {
            fileOid: f.sha256,
            oid: f.sha256,
            filename: path,
            pushedAt: c.date,
            ref: `${prefix}${name}`,
            size: f.size,
          });
        }
      }
    }
  }
  const { page, headers } = paginate(ctx, [...seen.values()], 1000);
  sendJson(ctx, 200, page, headers);
}

const DeleteSchema = z.object({
  deletions: z.object({ sha: z.array(z.string()).max(1000), rewriteHistory: z.boolean().optional() }),
});

/**
 * `POST /api/{type}s/{id}/lfs-files/batch` `{deletions:{sha,rewriteHistory}}`: rewrites every ref's
 * history without the named objects (new commit ids, as the real hub's rewrite). The bytes stay in
 * the shared content store, where other repos may still reference them.
 */
export async function deleteLfsFiles(ctx: RequestContext): Promise<void> {
  const meta = hfRepo(ctx, { write: true });
  const body = parseBody(DeleteSchema, await readJson(ctx));
  if (body.deletions.rewriteHistory === false) {
    throw new HttpError(400, "Deleting LFS files without rewriting history is not supported here");
  }
  const doomed = new Set(body.deletions.sha);
  await ctx.hub.repos.locks.run(commitLock(meta), async () => {
    const rewritten = new Map<string, string>();
    const rewrite = async (head: string): Promise<string> => {
      const chain = (await ctx.hub.repos.history(meta, head, 10_000)).reverse();
      let parent: string | undefined;
      for (const h of chain) {
        const c = rewritten.has(h.id) ? undefined : await ctx.hub.repos.loadCommit(meta, h.id);
        parent = rewritten.get(h.id) ?? (c ? await rewriteOne(c, parent) : parent);
      }
      return parent ?? head;
    };
    const rewriteOne = async (c: Commit, parent: string | undefined): Promise<string> => {
      const files = Object.fromEntries(
        Object.entries(c.files).filter(([, f]) => !(f.lfs && doomed.has(f.sha256))),
      );
      const next = await ctx.hub.repos.writeCommit(meta, {
        parents: parent ? [parent] : [],
        title: c.title,
        description: c.description,
        author: c.author,
        files,
      });
      rewritten.set(c.id, next.id);
      return next.id;
    };
    for (const [refs] of allRefs(meta)) {
      for (const name of Object.keys(refs)) refs[name] = await rewrite(refs[name]!);
    }
    await ctx.hub.repos.saveMeta(meta);
  });
  sendJson(ctx, 200, {});
}
