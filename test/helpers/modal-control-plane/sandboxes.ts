import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const FS_TOOLS = "/__modal/.bin/modal-sandbox-fs-tools";

/** Bytes an exec wrote to one of its outputs, readable from any offset while it grows. */
export class Output {
  private buf = Buffer.alloc(0);
  private done = false;
  private wake: (() => void)[] = [];

  push(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    this.notify();
  }

  end(): void {
    this.done = true;
    this.notify();
  }

  get length(): number {
    return this.buf.length;
  }

  /** Everything from `offset` on, as it comes, until the exec's end (or `stop` aborts). */
  async *read(offset: number, stop: AbortSignal): AsyncGenerator<Buffer> {
    let at = offset;
    while (!stop.aborted) {
      if (at < this.buf.length) {
        const chunk = this.buf.subarray(at);
        at = this.buf.length;
        yield chunk;
      } else if (this.done) return;
      else
        await new Promise<void>((resolve) => {
          const done = () => {
            stop.removeEventListener("abort", done);
            resolve();
          };
          this.wake.push(done);
          stop.addEventListener("abort", done, { once: true });
        });
    }
  }

  text(): string {
    return this.buf.toString("utf8");
  }

  private notify(): void {
    for (const w of this.wake.splice(0)) w();
  }
}

export type ExitStatus = { code: number } | { signal: number };

/** One command in a sandbox: a real child process, or the SDK's file-writing tool done here. */
export class LocalExec {
  readonly stdout = new Output();
  readonly stderr = new Output();
  stdinWritten = 0;
  stdinClosed = false;
  exit: ExitStatus | undefined;
  /** It was still running when its sandbox ended (terminated, or timed out). */
  killedByEnd = false;
  private child: ChildProcess | undefined;
  private fileChunks: Buffer[] = [];
  private exited: Promise<ExitStatus>;
  private settle!: (s: ExitStatus) => void;

  constructor(
    readonly id: string,
    readonly argv: string[],
    private readonly sandbox: LocalSandbox,
    hold: boolean,
  ) {
    this.exited = new Promise((resolve) => {
      this.settle = (s) => {
        if (this.exit) return;
        this.exit = s;
        this.stdout.end();
        this.stderr.end();
        resolve(s);
      };
    });
    // A held program never starts: it runs until its sandbox ends, silent, as a long transfer would.
    if (argv[0] !== FS_TOOLS && !hold) this.spawnProcess();
  }

  wait(): Promise<ExitStatus> {
    return this.exited;
  }

  /** Appends stdin bytes sent at `offset` (a resumed stream may resend what already arrived). */
  writeStdin(offset: number, data: Buffer): void {
    if (this.stdinClosed) return;
    const fresh = data.subarray(Math.max(0, this.stdinWritten - offset));
    if (offset > this.stdinWritten || fresh.length === 0) return;
    this.stdinWritten += fresh.length;
    if (this.child) this.child.stdin?.write(fresh);
    else this.fileChunks.push(fresh);
  }

  async closeStdin(): Promise<void> {
    if (this.stdinClosed) return;
    this.stdinClosed = true;
    if (this.child) {
      this.child.stdin?.end();
      return;
    }
    const command = JSON.parse(this.argv[1] ?? "{}") as { WriteFile?: { path: string } };
    if (!command.WriteFile) {
      this.stderr.push(
        Buffer.from(JSON.stringify({ error_kind: "Other", message: "unsupported fs-tools command" })),
      );
      this.settle({ code: 1 });
      return;
    }
    const target = this.sandbox.pathFor(command.WriteFile.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, Buffer.concat(this.fileChunks));
    this.settle({ code: 0 });
  }

  kill(): void {
    if (!this.exit) this.killedByEnd = true;
    if (this.child && this.child.exitCode === null) this.child.kill("SIGKILL");
    this.settle({ signal: 9 });
  }

  private spawnProcess(): void {
    const [cmd, ...rest] = this.argv;
    const program = cmd === "node" ? process.execPath : (cmd ?? "");
    const args = rest.map((a) =>
      a.startsWith("/") && existsSync(this.sandbox.pathFor(a)) ? this.sandbox.pathFor(a) : a,
    );
    const child = spawn(program, args, {
      cwd: this.sandbox.root,
      // A sandbox's environment is its secret sources and nothing of this process.
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: this.sandbox.root,
        LANG: "C.UTF-8",
        ...this.sandbox.env,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child = child;
    child.stdout?.on("data", (d: Buffer) => this.stdout.push(d));
    child.stderr?.on("data", (d: Buffer) => this.stderr.push(d));
    child.stdin?.on("error", () => {});
    child.on("error", (err) => {
      this.stderr.push(Buffer.from(String(err)));
      this.settle({ code: 127 });
    });
    child.on("close", (code, signal) =>
      this.settle(code !== null ? { code } : { signal: signal === "SIGKILL" ? 9 : 15 }),
    );
  }
}

export interface SandboxRequest {
  appId: string;
  imageId: string;
  timeoutSecs: number;
  env: Record<string, string>;
  v2: boolean;
}

/** A sandbox: a scratch folder standing for its filesystem, its environment, its timeout. */
export class LocalSandbox {
  readonly execs = new Map<string, LocalExec>();
  /** Why it ended: terminated by a call, or its timeout. */
  ended: "terminated" | "timeout" | undefined;
  private timer: NodeJS.Timeout;

  constructor(
    readonly id: string,
    readonly taskId: string,
    readonly root: string,
    readonly request: SandboxRequest,
  ) {
    this.timer = setTimeout(() => this.end("timeout"), Math.max(1, request.timeoutSecs) * 1000);
  }

  get env(): Record<string, string> {
    return this.request.env;
  }

  /** Where an absolute path in the sandbox lives in the scratch folder. */
  pathFor(path: string): string {
    return join(this.root, path);
  }

  start(execId: string, argv: string[], hold = false): LocalExec {
    const exec = new LocalExec(execId, argv, this, hold);
    this.execs.set(execId, exec);
    return exec;
  }

  end(reason: "terminated" | "timeout"): void {
    if (this.ended) return;
    this.ended = reason;
    clearTimeout(this.timer);
    for (const e of this.execs.values()) e.kill();
  }

  async dispose(): Promise<void> {
    this.end("terminated");
    await rm(this.root, { recursive: true, force: true });
  }
}

export class Sandboxes {
  readonly all = new Map<string, LocalSandbox>();

  async create(request: SandboxRequest): Promise<LocalSandbox> {
    const root = await mkdtemp(join(tmpdir(), "hubferry-modal-sb-"));
    // The SDK tells V1 from V2 by the id: `sb-` and 22 base62 characters is V1.
    const id = request.v2 ? `sb2-${randomBytes(10).toString("hex")}` : `sb-${base62(22)}`;
    const sb = new LocalSandbox(id, `ta-${randomBytes(8).toString("hex")}`, root, request);
    this.all.set(id, sb);
    return sb;
  }

  byTask(taskId: string): LocalSandbox | undefined {
    for (const sb of this.all.values()) if (sb.taskId === taskId) return sb;
    return undefined;
  }

  async disposeAll(): Promise<void> {
    await Promise.all([...this.all.values()].map((sb) => sb.dispose()));
  }
}

function base62(n: number): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  return [...randomBytes(n)].map((b) => alphabet[b % 62]).join("");
}
