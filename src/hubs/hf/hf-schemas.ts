import { z } from "zod";

/** Shapes of Hugging Face responses, checked before use: a surprise is an error naming the call. */
export const WhoAmISchema = z.object({
  name: z.string(),
  orgs: z.array(z.object({ name: z.string() })).default([]),
  auth: z
    .object({
      accessToken: z
        .object({ role: z.string().optional(), displayName: z.string().optional() })
        .partial()
        .optional(),
    })
    .partial()
    .optional(),
});

export const RepoInfoSchema = z.object({
  id: z.string(),
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  private: z.boolean().optional(),
  sdk: z.string().nullish(),
});

export const TreeEntrySchema = z.object({
  type: z.enum(["file", "directory"]),
  path: z.string(),
  size: z.number().int().min(0).optional(),
  oid: z.string(),
  lfs: z.object({ oid: z.string(), size: z.number() }).nullish(),
  /** Files the hub stores in Xet: the hash its server-side copies ask for. */
  xetHash: z.string().nullish(),
});

export const PreuploadSchema = z.object({
  files: z.array(
    z.object({
      path: z.string(),
      uploadMode: z.enum(["lfs", "regular"]),
      shouldIgnore: z.boolean().optional(),
    }),
  ),
});

const ActionSchema = z.object({ href: z.string(), header: z.record(z.string(), z.string()).nullish() });

export const LfsBatchSchema = z.object({
  transfer: z.string().optional(),
  objects: z.array(
    z.object({
      oid: z.string(),
      size: z.number(),
      actions: z.object({ upload: ActionSchema.optional(), verify: ActionSchema.optional() }).nullish(),
      error: z.object({ code: z.number(), message: z.string() }).nullish(),
    }),
  ),
});

/** `POST /api/{type}s/{id}/duplicate`: the new repo's URL; the files may still be being copied. */
export const DuplicateResponseSchema = z.object({
  url: z.string(),
  filesCopyPending: z.boolean().optional(),
});

export const CommitResponseSchema = z.object({ commitOid: z.string(), commitUrl: z.string().optional() });

export const RepoListSchema = z.array(z.object({ id: z.string() }));

export const RepoDetailsSchema = RepoInfoSchema.extend({
  gated: z.union([z.boolean(), z.string()]).nullish(),
  lastModified: z.string().nullish(),
  downloads: z.number().nullish(),
  likes: z.number().nullish(),
  tags: z.array(z.string()).nullish(),
  pipeline_tag: z.string().nullish(),
  library_name: z.string().nullish(),
  cardData: z.record(z.string(), z.unknown()).nullish(),
});

export const SearchItemSchema = z.object({
  id: z.string(),
  downloads: z.number().nullish(),
  likes: z.number().nullish(),
  lastModified: z.string().nullish(),
  createdAt: z.string().nullish(),
  pipeline_tag: z.string().nullish(),
  private: z.boolean().nullish(),
  tags: z.array(z.string()).nullish(),
});
