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
});

export const MsFilesSchema = envelope(z.object({ Files: z.array(MsFileSchema).nullish() }).nullable());

export const MsRepoInfoSchema = envelope(
  z
    .object({ Revision: z.string().nullish(), Visibility: z.number().nullish(), Name: z.string().optional() })
    .passthrough(),
);

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
