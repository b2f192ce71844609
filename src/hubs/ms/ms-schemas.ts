import { z } from "zod";

/** ModelScope `/api/v1` envelope around `data`. */
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({
    Code: z.union([z.number(), z.string()]).optional(),
    Data: data,
    Message: z.string().optional(),
    Success: z.boolean().optional(),
  });
}

export const MsFileSchema = z.object({
  Path: z.string(),
  Type: z.string(),
  Size: z.number().int().min(0),
  Sha256: z.string().nullish(),
  Revision: z.string().nullish(),
  IsLFS: z.boolean().nullish().catch(undefined),
});

export const MsFilesSchema = envelope(z.object({ Files: z.array(MsFileSchema).nullish() }).nullable());

export const MsUserSchema = z.object({ data: z.object({ username: z.string() }) });

export const MsLfsBatchSchema = envelope(
  z.object({
    objects: z
      .array(
        z.object({
          oid: z.string(),
          actions: z.object({ upload: z.object({ href: z.string() }).optional() }).optional(),
        }),
      )
      .default([]),
  }),
);

export const MsCommitSchema = envelope(z.object({ oid: z.string().optional() }).passthrough().nullable());

export const MsRepoListSchema = z.object({
  data: z.object({
    models: z.array(z.object({ id: z.string() })).optional(),
    datasets: z.array(z.object({ id: z.string() })).optional(),
    total_count: z.number(),
  }),
});

const NamedList = z
  .array(z.union([z.string(), z.object({ Name: z.string() }).passthrough()]))
  .nullish()
  .transform((xs) => (xs ?? []).map((x) => (typeof x === "string" ? x : x.Name)));

export const MsRepoDetailsSchema = envelope(
  z
    .object({
      Revision: z.string().nullish(),
      Visibility: z.number().nullish(),
      // Facts only `info` shows: a surprise in their shape drops the fact, not the migration.
      License: z.string().nullish().catch(undefined),
      ReadMeContent: z.string().nullish().catch(undefined),
      Downloads: z.number().nullish().catch(undefined),
      Likes: z.number().nullish().catch(undefined),
      Stars: z.number().nullish().catch(undefined),
      LastUpdatedTime: z.number().nullish().catch(undefined),
      Tags: NamedList.catch([]),
      Tasks: NamedList.catch([]),
    })
    .passthrough(),
);

export const MsSearchSchema = z.object({
  data: z.object({
    models: z.array(z.record(z.string(), z.unknown())).optional(),
    datasets: z.array(z.record(z.string(), z.unknown())).optional(),
    total_count: z.number(),
  }),
});

export const MsSearchItemSchema = z.object({
  id: z.string(),
  downloads: z.number().nullish(),
  likes: z.number().nullish(),
  last_modified: z.string().nullish(),
  tasks: z.array(z.string()).nullish(),
  tags: z.array(z.string()).nullish(),
  private: z.boolean().nullish(),
});

export const MsLoginSchema = envelope(
  z
    .object({ AccessToken: z.string().nullish(), Username: z.string(), Email: z.string().nullish() })
    .passthrough(),
);

/** `GET /api/v1/{type}s/{id}/commits?PageSize=&PageNumber=`: newest first, `TotalCount` beside `Data`. */
export const MsCommitsSchema = envelope(
  z.object({ Commit: z.array(z.object({ Id: z.string() }).passthrough()).nullish() }).passthrough(),
).extend({ TotalCount: z.number().int().min(0).optional() });
