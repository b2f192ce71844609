import type { z } from "zod";
import { isRepoType, type RepoType } from "../../core/repo-type.js";
import { HttpError } from "../http/http-error.js";
import type { RepoMeta } from "../store/repo-store.js";

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new HttpError(400, `Invalid request body at "${i.path.join(".")}": ${i.message}`);
  }
  return r.data;
}

export function repoTypeOf(value: string | null | undefined): RepoType {
  const type = value ?? "model";
  if (!isRepoType(type)) throw new HttpError(400, `Invalid repo type "${type}": use model, dataset or space`);
  return type;
}

/** The lock every writer of a repo's refs holds (commit.ts uses the same key). */
export function commitLock(meta: RepoMeta): string {
  return `commit:${meta.face}:${meta.type}:${meta.namespace}/${meta.name}`;
}
