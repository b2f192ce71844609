import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { tempDir } from "./tmp.js";

export const PROJECT_ROOT = new URL("../..", import.meta.url).pathname;
export const CLI = join(PROJECT_ROOT, "bin", "hubferry.js");

/** Users every test hub knows. Tokens are test fixtures for a loopback-only server. */
export const USERS = {
  alice: { name: "alice", token: "hf_alice_test_token_0001", msToken: "ms-alice-test-token-0001" },
  bob: { name: "bob", token: "hf_bob_test_token_0002", msToken: "ms-bob-test-token-0002" },
  reader: { name: "reader", token: "hf_reader_test_token_0003" },
  /** The hub's admin (`admin: true`): the only one the stats and fault routes answer. */
  admin: { name: "hubadmin", token: "hf_hubadmin_test_token_0004" },
} as const;

export const ORG = "acme";

export interface TestHub {
  url: string;
  root: string;
  process: ChildProcess;
  stop(): Promise<void>;
  /** Adds fault rules through the admin API (the hub must be started with faults enabled). */
  fault(rule: Record<string, unknown>): Promise<void>;
  clearFaults(): Promise<void>;
  stats(): Promise<Record<string, number>>;
  /** The fault rules and their hit counts. */
  faultRules(): Promise<{ kind: string; hits: number }[]>;
}

/**
 * Starts `hubferry serve` as a real child process on a free loopback port, with a users file,
 * and waits for its ready line. Extra CLI flags tune thresholds for tests.
 */
export async function startTestHub(
  extraArgs: string[] = [],
  opts: { usersYaml?: string } = {},
): Promise<TestHub> {
  const dir = await tempDir("hub");
  const usersFile = join(dir.path, "users.yaml");
  await writeFile(
    usersFile,
    opts.usersYaml ??
      [
        "users:",
        `  - name: alice`,
        `    fullname: Alice Tester`,
        `    orgs: [${ORG}]`,
        `    tokens:`,
        `      - { name: alice-write, value: ${USERS.alice.token}, role: write }`,
        `      - { name: alice-ms, value: ${USERS.alice.msToken}, role: write }`,
        `  - name: bob`,
        `    tokens:`,
        `      - { name: bob-write, value: ${USERS.bob.token}, role: write }`,
        `      - { name: bob-ms, value: ${USERS.bob.msToken}, role: write }`,
        `  - name: reader`,
        `    tokens:`,
        `      - { name: reader-read, value: ${USERS.reader.token}, role: read }`,
        `  - name: ${USERS.admin.name}`,
        `    admin: true`,
        `    tokens:`,
        `      - { name: admin, value: ${USERS.admin.token}, role: read }`,
        "orgs:",
        `  - { name: ${ORG}, fullname: Acme Corp }`,
        "",
      ].join("\n"),
  );
  const root = join(dir.path, "store");
  const child = spawn(
    process.execPath,
    [
      CLI,
      "serve",
      "--root",
      root,
      "--port",
      "0",
      "--users",
      usersFile,
      "--json",
      "--enable-faults",
      ...extraArgs,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local hub did not start in 15 s: ${stderr}`)), 15_000);
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`unexpected first line from serve: ${line}\n${stderr}`));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`local hub exited with ${code}: ${stderr}`));
    });
  });
  const adminAuth = { authorization: `Bearer ${USERS.admin.token}` };
  const admin = async (method: string, body?: unknown) => {
    const res = await fetch(`${url}/_hubferry/faults`, {
      method,
      headers: { "content-type": "application/json", ...adminAuth },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`fault admin ${method} failed: ${res.status} ${await res.text()}`);
  };
  return {
    url,
    root,
    process: child,
    fault: (rule) => admin("POST", rule),
    clearFaults: () => admin("DELETE"),
    stats: async () =>
      (
        (await (await fetch(`${url}/_hubferry/stats`, { headers: adminAuth })).json()) as {
          requests: Record<string, number>;
        }
      ).requests,
    faultRules: async () =>
      (
        (await (await fetch(`${url}/_hubferry/faults`, { headers: adminAuth })).json()) as {
          rules: { kind: string; hits: number }[];
        }
      ).rules,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      await dir.cleanup();
    },
  };
}

export interface HubPair {
  /** Plays huggingface.co. */
  hf: TestHub;
  /** Plays modelscope.cn (a separate store, so every byte of a migration really moves). */
  ms: TestHub;
  work: { path: string; cleanup: () => Promise<void> };
  /** Env for the CLI pointed at both hubs with alice's tokens; `undefined` in `extra` removes a key. */
  env(extra?: Record<string, string | undefined>): Record<string, string>;
  stop(): Promise<void>;
}

/** Two local hubs and a scratch folder, for tests that move repos from one to the other. */
export async function startHubPair(label: string, hfArgs: string[] = []): Promise<HubPair> {
  const [hf, ms] = await Promise.all([startTestHub(hfArgs), startTestHub()]);
  const work = await tempDir(label);
  return {
    hf,
    ms,
    work,
    env: (extra = {}) => {
      const all: Record<string, string | undefined> = {
        HOME: work.path,
        HF_ENDPOINT: hf.url,
        MODELSCOPE_ENDPOINT: ms.url,
        HF_TOKEN: USERS.alice.token,
        MODELSCOPE_API_TOKEN: USERS.alice.msToken,
        ...extra,
      };
      return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >;
    },
    stop: async () => {
      await Promise.all([hf.stop(), ms.stop()]);
      await work.cleanup();
    },
  };
}
