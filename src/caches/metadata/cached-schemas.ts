import { z } from "zod";

/** The shapes the metadata cache stores, checked again when read back (a cache file is an edge too). */
const repoType = z.enum(["model", "dataset", "space"]);

export const DetailsSchema = z
  .object({
    id: z.string(),
    type: repoType,
    private: z.boolean(),
    sha: z.string(),
    revision: z.string(),
    sdk: z.string().optional(),
    gated: z.union([z.boolean(), z.string()]),
    license: z.string().optional(),
    lastModified: z.string().optional(),
    downloads: z.number().optional(),
    likes: z.number().optional(),
    tags: z.array(z.string()),
    task: z.string().optional(),
    library: z.string().optional(),
    card: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

export const RefSchema = z.object({ sha: z.string(), revision: z.string() });

export const FilesSchema = z.array(
  z
    .object({
      path: z.string(),
      size: z.number(),
      sha256: z.string().optional(),
      gitOid: z.string().optional(),
      lastCommit: z.string().optional(),
      lfs: z.boolean().optional(),
      xetHash: z.string().optional(),
    })
    .passthrough(),
);

export const HitsSchema = z.array(
  z
    .object({
      id: z.string(),
      type: repoType,
      downloads: z.number().optional(),
      likes: z.number().optional(),
      updated: z.string().optional(),
      task: z.string().optional(),
      private: z.boolean().optional(),
    })
    .passthrough(),
);

export const TypeSchema = repoType;
