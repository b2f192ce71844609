import YAML from "yaml";

export interface RepoCard {
  data: Record<string, unknown> | undefined;
  error?: string;
}

/** Reads the YAML front matter of a README.md (the "card"), as both hubs do for metadata and tags. */
export function parseRepoCard(readme: string): RepoCard {
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(\r?\n|$)/.exec(readme);
  if (!m) return { data: undefined };
  try {
    const data = YAML.parse(m[1]!) as unknown;
    if (data === null || data === undefined) return { data: {} };
    if (typeof data !== "object" || Array.isArray(data))
      return { data: undefined, error: "the metadata block must be a YAML mapping" };
    return { data: data as Record<string, unknown> };
  } catch (err) {
    return {
      data: undefined,
      error: `invalid YAML in the metadata block: ${(err as Error).message.split("\n")[0]}`,
    };
  }
}

function asList(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return [];
}

/**
 * Tags the hub derives from card metadata and file formats. Datasets carry their facets prefixed
 * (`language:en`, `size_categories:1K<n<10K`), models a bare language code, as the real hub does.
 */
export function deriveTags(
  card: Record<string, unknown> | undefined,
  paths: string[],
  type: "model" | "dataset" | "space" = "model",
): string[] {
  const tags = new Set<string>();
  const c = card ?? {};
  for (const lib of asList(c.library_name)) tags.add(lib);
  for (const t of asList(c.tags)) tags.add(t);
  if (paths.some((p) => p.endsWith(".safetensors"))) tags.add("safetensors");
  if (paths.some((p) => p.endsWith(".gguf"))) tags.add("gguf");
  for (const t of asList(c.pipeline_tag)) tags.add(t);
  for (const t of asList(c.task_categories)) tags.add(`task_categories:${t}`);
  for (const l of asList(c.language)) tags.add(type === "dataset" ? `language:${l}` : l);
  for (const sz of asList(c.size_categories)) tags.add(`size_categories:${sz}`);
  for (const d of asList(c.datasets)) tags.add(`dataset:${d}`);
  for (const b of asList(c.base_model)) tags.add(`base_model:${b}`);
  for (const l of asList(c.license)) tags.add(`license:${l}`);
  tags.add("region:us");
  return [...tags];
}
