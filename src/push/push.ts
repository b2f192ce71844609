import { createHash } from "node:crypto";
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { HubferryError } from "../core/errors.js";
import { emptySelectionError, pathSelector } from "../core/path-filter.js";
import { parseRepoCard } from "../core/repo-card.js";
import { formatRef, type RepoRef } from "../core/repo-ref.js";
import { classifyFileSafety } from "../formats/file-safety.js";
import { SNIFF_BYTES, sniffFormat } from "../formats/sniff.js";
import type { Hub } from "../hubs/hub.js";
import { localFolderSource, skippedEntries } from "../hubs/local/local-folder.js";
import { checkWriter, prepareDestination, type WriteRepoResult, writeRepo } from "../migrate/write-repo.js";
import type { EventSink } from "../transfer/events.js";
import type { Plan } from "../transfer/plan.js";
import type { SourceFile, TransferSource } from "../transfer/types.js";
import { type CardFacts, generateCard } from "./model-card.js";
import { scanForSecrets } from "./secret-scan.js";

export interface PushOptions {
  hub: Hub;
  ref: RepoRef;
  dir: string;
  private: boolean;
  sdk?: string;
  allowSecrets: boolean;
  card: Omit<CardFacts, "type" | "id" | "paths" | "sdk">;
  include?: string[];
  exclude?: string[];
  message?: string;
  dryRun?: boolean;
  events: EventSink;
  signal?: AbortSignal;
  confirm?: (plan: Plan) => Promise<boolean>;
  concurrency?: number;
  /** The tokens this environment holds, so the scan catches them whatever their form. */
  knownTokens?: { value: string; kind: string }[];
  /** `sync --delete` from a folder: remote files the folder lacks are deleted (push never deletes). */
  deleteExtra?: boolean;
  /** What to tell a user whose repo keeps files the folder lacks. */
  extraHint?: string;
  batchFiles?: number;
}

/** Folders a push never publishes: VCS data and tool caches (as huggingface_hub's upload_folder). */
const NEVER = [/^\.git(\/|$)/, /(^|\/)\.cache\/huggingface\//, /^\.hubferry-(partial|staging)(\/|$)/];

/** A local folder with an extra in-memory file (the generated card). */
function withExtraFile(src: TransferSource, path: string, content: Buffer): TransferSource {
  const sha256 = createHash("sha256").update(content).digest("hex");
  return {
    label: src.label,
    revision: src.revision,
    list: async () => [
      ...(await src.list()).filter((f) => f.path !== path),
      { path, size: content.length, sha256 },
    ],
    read: async (p, start, end, signal) => {
      if (p !== path) return src.read(p, start, end, signal);
      return (async function* () {
        yield content.subarray(start, end + 1);
      })();
    },
  };
}

/** A string field of the folder's README front matter, if it has one. */
export async function cardField(dir: string, field: string): Promise<string | undefined> {
  const text = await readFile(join(dir, "README.md"), "utf8").catch(() => undefined);
  const value = text === undefined ? undefined : parseRepoCard(text).data?.[field];
  return typeof value === "string" ? value : undefined;
}

/** Pickle files by name or by their first bytes, whatever they are called. */
async function picklesIn(dir: string, files: SourceFile[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    if (classifyFileSafety(f.path) === "pickle") {
      out.push(f.path);
      continue;
    }
    if (f.size < 2) continue;
    const fh = await open(join(dir, f.path), "r");
    try {
      const { buffer, bytesRead } = await fh.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
      const kind = sniffFormat(buffer.subarray(0, bytesRead));
      if (kind === "pickle" || kind === "torch-zip") out.push(`${f.path} (a pickle by its content)`);
    } finally {
      await fh.close();
    }
  }
  return out;
}

/**
 * Publishes a folder: secrets scanned first (refused unless allowed), a card generated when there
 * is no README.md, pickle files warned about, the repo created if needed, and only the files
 * that differ from the remote (by hash) uploaded.
 */
export async function push(opts: PushOptions): Promise<WriteRepoResult> {
  const folder = await localFolderSource(opts.dir);
  const selected = pathSelector(opts);
  const publishes = (p: string) => !NEVER.some((re) => re.test(p)) && selected(p);
  const base: TransferSource = {
    ...folder,
    list: async () => (await folder.list()).filter((f) => publishes(f.path)),
  };
  const files = await base.list();
  if (files.length === 0 && (opts.include?.length || opts.exclude?.length)) {
    const all = (await folder.list()).filter((f) => !NEVER.some((re) => re.test(f.path)));
    if (all.length) throw emptySelectionError(opts, all.length, opts.dir);
  }
  if (files.length === 0)
    throw new HubferryError(
      "BAD_INPUT",
      `${opts.dir} has no files to publish`,
      "point at the folder to upload",
    );

  const findings = await scanForSecrets(opts.dir, files, opts.knownTokens);
  const notes: string[] = (await skippedEntries(opts.dir)).map((s) => `skips ${s.path}: ${s.reason}`);
  if (findings.length && !opts.allowSecrets) {
    const shown = findings
      .slice(0, 10)
      .map((f) => `  ${f.path}${f.line ? `:${f.line}` : ""}  ${f.kind}`)
      .join("\n");
    throw new HubferryError(
      "UNSAFE",
      `refused to publish: ${findings.length} possible secret(s) found\n${shown}${findings.length > 10 ? `\n  … and ${findings.length - 10} more` : ""}`,
      "remove them (or exclude the files with --exclude); pass --allow-secrets only if they are not secrets",
    );
  }
  if (findings.length)
    notes.push(`publishing despite ${findings.length} possible secret(s) (--allow-secrets)`);

  const pickles = await picklesIn(opts.dir, files);
  if (pickles.length)
    notes.push(
      `warning: ${pickles.length} pickle file(s) would be published (${pickles.slice(0, 3).join(", ")}${pickles.length > 3 ? ", …" : ""}); loading them can run code: consider safetensors`,
    );

  const me = await checkWriter(opts.hub);
  const destExists = await prepareDestination(
    opts.hub,
    opts.ref,
    me,
    notes,
    opts.private ? "private" : "public",
  );
  let source = base;
  const remoteHasCard =
    destExists && (await opts.hub.destination(opts.ref).list()).some((f) => f.path === "README.md");
  if (remoteHasCard && !files.some((f) => f.path === "README.md"))
    notes.push("no README.md here: the repo's own card is kept");
  else if (!files.some((f) => f.path === "README.md")) {
    const card = generateCard({
      ...opts.card,
      type: opts.ref.type,
      id: opts.ref.id,
      sdk: opts.sdk,
      paths: files.map((f) => f.path),
    });
    source = withExtraFile(base, "README.md", Buffer.from(card));
    notes.push("no README.md: a card with YAML metadata was generated");
  }

  return writeRepo(source, opts.hub, opts.ref, destExists, {
    dryRun: opts.dryRun,
    notes,
    extraHint: opts.extraHint ?? "they stay: push adds and updates files, it never deletes any",
    deleteExtra: opts.deleteExtra,
    batchFiles: opts.batchFiles,
    private: opts.private,
    sdk: opts.sdk,
    license: opts.card.license ?? (await cardField(opts.dir, "license")),
    events: opts.events,
    signal: opts.signal,
    confirm: opts.confirm,
    concurrency: opts.concurrency,
    commitMessage: (i, n) =>
      `${opts.message ?? `Upload ${formatRef(opts.ref)} with hubferry`}${n > 1 ? ` (batch ${i}/${n})` : ""}`,
  });
}
