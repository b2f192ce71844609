import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { encoderFor } from "./codecs.js";
import type { GgmlType } from "./types.js";

/**
 * Encoding on every core: chunks of a tensor are sent to worker threads, which run the same
 * codecs and so give the same bytes, while this thread reads and decodes the next chunks. The
 * K-quant encoders are what a conversion's time goes to (a few million values per second per
 * core), so this is where more cores shorten it. HUBFERRY_CONVERT_THREADS sets the count (1: all
 * on this thread). The single-file bundle has no worker file beside it and encodes on one thread.
 */
declare const __HUBFERRY_BUNDLE__: boolean | undefined;

export interface Encoding {
  /** Encodes `values` (which it may take over: do not use them after). */
  encode(type: GgmlType, values: Float32Array): Promise<Uint8Array>;
  /** How many chunks are worth having in flight at once. */
  readonly width: number;
}

function workerFile(): string | undefined {
  if (typeof __HUBFERRY_BUNDLE__ !== "undefined") return undefined;
  // Built (dist/) the worker is the .js beside this file. Run from the sources through tsx (unit
  // tests) there is none, since a worker thread does not inherit tsx's loader: one thread then.
  const path = fileURLToPath(new URL("./encode-worker.js", import.meta.url));
  return existsSync(path) ? path : undefined;
}

function threadCount(): number {
  const asked = Number(process.env.HUBFERRY_CONVERT_THREADS);
  if (Number.isInteger(asked) && asked >= 1) return Math.min(asked, 64);
  return Math.min(availableParallelism(), 16);
}

const inThread: Encoding = { width: 1, encode: async (type, values) => encoderFor(type)(values) };

interface Pending {
  resolve(bytes: Uint8Array): void;
  reject(err: Error): void;
}

class WorkerPool implements Encoding {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly busy = new Map<Worker, number>();
  private next = 0;

  constructor(
    private readonly file: string,
    readonly width: number,
  ) {}

  private spawn(): Worker {
    const worker = new Worker(this.file);
    worker.unref();
    this.busy.set(worker, 0);
    worker.on("message", (m: { id: number; bytes?: Uint8Array; error?: string }) => {
      const job = this.pending.get(m.id);
      this.pending.delete(m.id);
      this.settle(worker);
      if (!job) return;
      if (m.error !== undefined) job.reject(new Error(`encoding failed: ${m.error}`));
      else job.resolve(m.bytes as Uint8Array);
    });
    worker.on("error", (err) => this.fail(worker, err));
    worker.on("exit", (code) => this.fail(worker, new Error(`an encoding thread exited (code ${code})`)));
    this.workers.push(worker);
    return worker;
  }

  /** One job fewer on `worker`; an idle worker no longer keeps the process alive. */
  private settle(worker: Worker): void {
    const left = (this.busy.get(worker) ?? 1) - 1;
    this.busy.set(worker, left);
    if (left === 0) worker.unref();
  }

  /** A thread that died takes every job in flight with it: they fail, and the next jobs get a new one. */
  private fail(worker: Worker, err: Error): void {
    const at = this.workers.indexOf(worker);
    if (at < 0) return;
    this.workers.splice(at, 1);
    this.busy.delete(worker);
    for (const job of this.pending.values()) job.reject(err);
    this.pending.clear();
  }

  encode(type: GgmlType, values: Float32Array): Promise<Uint8Array> {
    let worker = [...this.busy].sort((a, b) => a[1] - b[1])[0]?.[0];
    if (!worker || (this.workers.length < this.width && (this.busy.get(worker) ?? 0) > 0))
      worker = this.spawn();
    const id = this.next++;
    this.busy.set(worker, (this.busy.get(worker) ?? 0) + 1);
    worker.ref();
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const whole = values.byteOffset === 0 && values.byteLength === values.buffer.byteLength;
      worker.postMessage({ id, type, values }, whole ? [values.buffer as ArrayBuffer] : []);
    });
  }
}

let shared: Encoding | undefined;

/** The process's encoder: a pool of worker threads, or this thread when there is one core or no worker file. */
export function encoding(): Encoding {
  if (shared) return shared;
  const threads = threadCount();
  const file = threads > 1 ? workerFile() : undefined;
  shared = file ? new WorkerPool(file, threads) : inThread;
  return shared;
}
