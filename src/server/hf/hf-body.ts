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

/**
 * git's ref-name rules (check-ref-format), which the real hub applies to branches and tags:
 * returns what is wrong, or undefined when the name is fine.
 */
export function refNameProblem(name: string): string | undefined {
  if (name.length === 0) return "it is empty";
  if (name.length > 255) return "it is longer than 255 characters";
  if (
    [...name].some((ch) => ch.charCodeAt(0) <= 0x20 || ch.charCodeAt(0) === 0x7f) ||
    /[~^:?*[\\]/.test(name)
  )
    return "it contains a space, a control character or one of ~ ^ : ? * [ \\";
  if (name.includes("..") || name.includes("@{") || name.includes("//"))
    return "it contains '..', '@{' or '//'";
  if (
    name === "@" ||
    name.startsWith("/") ||
    name.endsWith("/") ||
    name.endsWith(".") ||
    name.endsWith(".lock")
  )
    return "it starts or ends with '/', ends with '.' or '.lock', or is '@'";
  if (name.split("/").some((part) => part.startsWith("."))) return "a part of it starts with '.'";
  return undefined;
}
