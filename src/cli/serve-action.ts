// What `serve` does: start the local hub and keep it up until Ctrl-C. Loaded only when it runs
// (the definition, for --help, is serve.ts), so no other command loads the server.
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import YAML from "yaml";
import { atomicWriteFile } from "../core/atomic-write.js";
import { HubferryError, redact } from "../core/errors.js";
import { startLocalHub } from "../server/app.js";
import { loadUsersFile, UserTable } from "../server/auth/users.js";
import { parseRateLimits } from "../server/http/rate-limit.js";
import { seedSampleRepo } from "../server/sample.js";
import { reportError } from "./fail.js";
import { parseSize } from "./parse-size.js";
import type { ServeOptions } from "./serve.js";
import { mirrorOptions } from "./serve-mirror.js";
import { wholeNumber } from "./whole-number.js";

export const SAMPLE_REPO = { namespace: "local", name: "hubferry-sample" };

/**
 * Users come from --users FILE and --token NAME=TOKEN. With neither, the server makes (once) a
 * user "local" whose token is kept in ROOT/users.yaml (mode 0600), and says where, never what.
 */
async function buildUsers(opts: ServeOptions, log: (s: string) => void): Promise<UserTable> {
  const table = opts.users ? UserTable.fromFile(await loadUsersFile(opts.users)) : new UserTable();
  for (const flag of opts.token) {
    const { name, token } = UserTable.parseTokenFlag(flag);
    try {
      table.addToken(name, token);
    } catch (err) {
      throw new HubferryError("BAD_INPUT", `--token: ${(err as Error).message}`);
    }
  }
  if (table.size > 0) return table;
  const file = join(opts.root, "users.yaml");
  let text: string | undefined;
  try {
    text = await readFile(file, "utf8");
  } catch {
    const doc = {
      users: [
        {
          name: "local",
          orgs: [],
          admin: true,
          tokens: [{ name: "local-hub", value: `hf_${randomBytes(16).toString("hex")}`, role: "write" }],
        },
      ],
    };
    text = YAML.stringify(doc);
    await atomicWriteFile(file, text);
    const { chmod } = await import("node:fs/promises");
    await chmod(file, 0o600);
  }
  log(`users: "local" (its token is in ${file})`);
  // The hub's own user file: its users run this hub, so they are its admins.
  const own = await loadUsersFile(file);
  return UserTable.fromFile({ ...own, users: own.users.map((u) => ({ ...u, admin: true })) });
}
export async function serveAction(opts: ServeOptions): Promise<void> {
  try {
    await serve(opts);
  } catch (err) {
    throw reportError(err, opts.json);
  }
}

async function serve(opts: ServeOptions): Promise<void> {
  const lines: string[] = [];
  const users = await buildUsers(opts, (s) => lines.push(s));
  const mirror = await mirrorOptions(opts);
  const accessLog = await openAccessLog(opts.accessLog);
  const hub = await startLocalHub({
    accessLog: accessLog?.write,
    mirror,
    sessionTtlSeconds: opts.sessionTtl ? wholeNumber("--session-ttl", opts.sessionTtl, 1) : undefined,
    root: opts.root,
    users,
    host: opts.host,
    port: wholeNumber("--port", opts.port, 0, 65535, "a port number"),
    enableFaults: opts.enableFaults,
    rateLimits: opts.rateLimit ? parseRateLimits(opts.rateLimit) : undefined,
    lfsThreshold: opts.lfsThreshold ? parseSize("--lfs-threshold", opts.lfsThreshold) : undefined,
    multipartThreshold: opts.multipartThreshold
      ? parseSize("--multipart-threshold", opts.multipartThreshold)
      : undefined,
    multipartChunkSize: opts.multipartChunkSize
      ? parseSize("--multipart-chunk-size", opts.multipartChunkSize)
      : undefined,
    treePageSize: opts.treePageSize ? wholeNumber("--tree-page-size", opts.treePageSize, 1) : undefined,
    searchPageSize: opts.searchPageSize
      ? wholeNumber("--search-page-size", opts.searchPageSize, 1)
      : undefined,
    publicUrl: opts.publicUrl?.replace(/\/+$/, ""),
    maxObjectSize: opts.maxObjectSize ? parseSize("--max-object-size", opts.maxObjectSize) : undefined,
    minFreeDisk: opts.minFreeDisk ? parseSize("--min-free-disk", opts.minFreeDisk) : undefined,
    uploadExpirySeconds: opts.uploadExpiry ? wholeNumber("--upload-expiry", opts.uploadExpiry, 1) : undefined,
    xetXorbMaxBytes: opts.xetXorbSize ? xorbSize(opts.xetXorbSize) : undefined,
    xet: opts.xet,
  });
  let sampleUrl: string | undefined;
  if (opts.sample) {
    await seedSampleRepo(hub.hub, "hf", SAMPLE_REPO.namespace, SAMPLE_REPO.name);
    sampleUrl = `${hub.url}/${SAMPLE_REPO.namespace}/${SAMPLE_REPO.name}`;
  }
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ event: "listening", url: hub.url, root: opts.root, sample: sampleUrl ?? null })}\n`,
    );
  } else {
    const out = [`hubferry local hub listening on ${hub.url}`, `store: ${opts.root}`, ...lines];
    for (const [face, up] of Object.entries(mirror?.upstreams ?? {}))
      out.push(`mirror: ${face} from ${up.endpoint}${mirror?.offline ? " (offline: store only)" : ""}`);
    if (sampleUrl) {
      out.push(
        `sample repo: ${sampleUrl}`,
        "",
        "Try it with the official Hugging Face client:",
        `  HF_ENDPOINT=${hub.url} HF_HUB_DISABLE_XET=1 hf download ${SAMPLE_REPO.namespace}/${SAMPLE_REPO.name}`,
      );
    }
    out.push("", "Press Ctrl-C to stop.");
    process.stdout.write(`${out.join("\n")}\n`);
  }
  const unguard = guardProcess();
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await hub.close();
  unguard();
  await accessLog?.close();
}

/**
 * A server others use must outlive any one request: an error thrown where nothing awaits it (a
 * stream callback, a timer) is logged, without the process ending. Request handling already
 * answers its own errors; this is the last net.
 */
function guardProcess(): () => void {
  const log = (kind: string) => (err: unknown) => {
    const what = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`hubferry serve: ${kind} (the server goes on): ${redact(what)}\n`);
  };
  const onException = log("uncaught error");
  const onRejection = log("unhandled rejection");
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  return () => {
    process.off("uncaughtException", onException);
    process.off("unhandledRejection", onRejection);
  };
}

async function openAccessLog(
  target: string | undefined,
): Promise<{ write: (line: string) => void; close: () => Promise<void> } | undefined> {
  if (!target) return undefined;
  if (target === "-") return { write: (line) => process.stdout.write(`${line}\n`), close: async () => {} };
  const stream = createWriteStream(target, { flags: "a", mode: 0o600 });
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new HubferryError("BAD_INPUT", `--access-log: cannot open ${target} (${err.code ?? err.message})`),
      ),
    );
  });
  stream.on("error", (err) => {
    process.stderr.write(`hubferry serve: cannot write the access log ${target}: ${err.message}\n`);
  });
  return {
    write: (line) => stream.write(`${line}\n`),
    close: () => new Promise((resolve) => stream.end(resolve)),
  };
}

/** A xorb must hold at least one largest chunk (128 KiB + header) and at most the spec's 64 MiB. */
function xorbSize(value: string): number {
  const n = parseSize("--xet-xorb-size", value);
  if (n < 128 * 1024 + 8 || n > 64 * 1024 * 1024)
    throw new Error("--xet-xorb-size must be between 129KiB and 64MiB");
  return n;
}
