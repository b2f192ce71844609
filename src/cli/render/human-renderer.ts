import cliProgress from "cli-progress";
import type { TransferEvent } from "../../transfer/events.js";
import { convertPlanText } from "./convert-plan-view.js";
import { extraText, formatBytes, formatDuration, shortId, withoutRevision } from "./format.js";
import { RateWindow } from "./rate.js";

type PlanEvent = Extract<TransferEvent, { event: "plan" }>;
type SummaryEvent = Extract<TransferEvent, { event: "summary" }>;

/** Without a terminal, totals are printed this often (not a line per file). */
const TOTALS_EVERY_MS = 5000;

export interface HumanRendererOptions {
  /** What the command produces (the plan, the summary): stdout, so `> plan.txt` captures it. */
  product?: NodeJS.WritableStream;
  /** Progress and logs. */
  log?: NodeJS.WriteStream;
  tty?: boolean;
}

/**
 * The terminal face of a transfer: the plan and the summary on stdout; on stderr a bar per file
 * and one overall (rate and ETA over the last seconds), a countdown while a rate limit is waited
 * out, and log lines. Without a TTY, totals every few seconds instead of bars. A run with nothing
 * to do says so in one line.
 */
export class HumanRenderer {
  private readonly product: NodeJS.WritableStream;
  private readonly err: NodeJS.WriteStream;
  private readonly tty: boolean;
  private multibar?: cliProgress.MultiBar;
  private overall?: cliProgress.SingleBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly sent = new Map<string, number>();
  private readonly rate = new RateWindow();
  private total = 0;
  private files = 0;
  private filesDone = 0;
  private done = 0;
  private lastTotals = -1;
  private ticker?: NodeJS.Timeout;
  private waitTimer?: NodeJS.Timeout;
  /** A plan with nothing to do, held so that the run can be said in one line. */
  private idle?: PlanEvent;

  constructor(opts: HumanRendererOptions = {}) {
    this.product = opts.product ?? process.stdout;
    this.err = opts.log ?? process.stderr;
    this.tty = opts.tty ?? !!this.err.isTTY;
  }

  private log(line: string): void {
    if (this.multibar) this.multibar.log(`${line}\n`);
    else this.err.write(`${line}\n`);
  }

  handle = (e: TransferEvent): void => {
    switch (e.event) {
      case "plan":
        this.onPlan(e);
        break;
      case "convert_plan":
        this.total = e.bytes;
        this.files = 1;
        this.product.write(convertPlanText(e));
        break;
      case "file_start":
        this.onFileStart(e.path, e.size);
        break;
      case "file_progress":
        this.moved(e.path, e.bytes);
        this.bars.get(e.path)?.update(e.bytes);
        break;
      case "file_done":
        this.onFileDone(e.path, e.size);
        break;
      case "retry":
        this.log(`  retry ${e.attempt} of ${e.what} in ${(e.waitMs / 1000).toFixed(1)} s: ${e.reason}`);
        break;
      case "rate_limit":
        this.countdown(e.what, e.waitMs);
        break;
      case "worker":
        this.onWorker(e);
        break;
      case "note":
        this.log(`  note: ${e.message}`);
        break;
      case "commit":
        this.log(
          `  committed ${shortId(e.commit)}: ${e.files} file(s)${e.deleted ? `, ${e.deleted} deleted` : ""}`,
        );
        break;
      case "verify":
        this.stopBars();
        if (!e.ok) this.log("verification FAILED");
        else if (!this.idle)
          this.log(`verified: all ${e.files} files are on the destination with their hashes`);
        break;
      case "summary":
        this.stopBars();
        this.onSummary(e);
        break;
      case "error":
        this.stopBars();
        break;
    }
  };

  /** The command is over: a held plan (a dry run with nothing to do) is said now. */
  finish(): void {
    this.stopBars();
    if (this.idle) this.product.write(`${idleLine(this.idle)}\n`);
    this.idle = undefined;
  }

  /** A sharded run's workers: said when one fails and when another takes over its files. */
  private onWorker(e: Extract<TransferEvent, { event: "worker" }>): void {
    if (e.state === "failed")
      this.log(
        `  worker ${e.worker} failed (${e.code}: ${e.reason}); its ${e.files} unfinished file(s), ${formatBytes(e.bytes)}, are ${e.next}`,
      );
    else if (e.state === "started" && e.replaces)
      this.log(`  worker ${e.worker} takes over ${e.files} file(s) of worker ${e.replaces}`);
  }

  private onPlan(e: PlanEvent): void {
    this.total = e.bytes;
    this.files = e.copy.length;
    if (e.copy.length === 0 && e.delete.length === 0 && e.refused.length === 0) this.idle = e;
    else this.product.write(planText(e));
  }

  private onFileStart(path: string, size: number): void {
    this.ensureProgress();
    if (this.multibar && !this.bars.has(path)) {
      this.bars.set(path, this.multibar.create(Math.max(1, size), 0, { name: shorten(path, 36), info: "" }));
    }
    this.moved(path, 0);
  }

  private onFileDone(path: string, size: number): void {
    this.moved(path, size);
    this.filesDone++;
    const bar = this.bars.get(path);
    if (bar) {
      bar.update(Math.max(1, size));
      this.multibar?.remove(bar);
      this.bars.delete(path);
    }
  }

  /** A file's bytes now stand at `bytes` (a retry may take some back). */
  private moved(path: string, bytes: number): void {
    const before = this.sent.get(path) ?? 0;
    this.sent.set(path, bytes);
    this.done += bytes - before;
    this.rate.sample(this.done);
  }

  private onSummary(e: SummaryEvent): void {
    if (this.idle && e.files === 0 && e.deleted === 0) {
      this.product.write(`${idleLine(this.idle)}\n`);
      this.idle = undefined;
      return;
    }
    if (this.idle) this.product.write(planText(this.idle));
    this.idle = undefined;
    const parts = [
      `done: ${e.files} file(s) written, ${formatBytes(e.bytes)} sent in ${formatDuration(e.seconds)}` +
        (e.bytes > 0 ? ` (${formatBytes(e.bytesPerSecond)}/s)` : ""),
    ];
    if (e.stored) parts.push(`${e.stored} already stored there (${formatBytes(e.storedBytes)} not sent)`);
    if (e.skipped) parts.push(`${e.skipped} already there`);
    if (e.deleted) parts.push(`${e.deleted} deleted`);
    this.product.write(`${parts.join("; ")}\n${e.destinationUrl}\n`);
  }

  /** `1.2 MB/s | ETA 3 s`, from the last seconds; `…` while too early to say. */
  private speed(): string {
    const r = this.rate.rate();
    const eta = this.rate.eta(this.total - this.done);
    return `${r === undefined ? "…" : `${formatBytes(r)}/s`} | ETA ${eta === undefined ? "…" : formatDuration(eta)}`;
  }

  private totalsLine(): string {
    const pct = this.total > 0 ? ` (${Math.floor((100 * this.done) / this.total)}%)` : "";
    return `  ${formatBytes(this.done)} of ${formatBytes(this.total)}${pct}, ${this.filesDone} of ${this.files} file(s), ${this.speed()}`;
  }

  private ensureProgress(): void {
    if (this.ticker) return;
    if (!this.tty) {
      // No terminal: totals every few seconds, only when something moved.
      this.ticker = setInterval(() => {
        if (this.done === this.lastTotals) return;
        this.lastTotals = this.done;
        this.err.write(`${this.totalsLine()}\n`);
      }, TOTALS_EVERY_MS);
      this.ticker.unref();
      return;
    }
    this.multibar = new cliProgress.MultiBar(
      {
        format: "{bar} {percentage}% | {name} | {value}/{total} {info}",
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        barsize: 24,
        formatValue: (v, _o, type) => (type === "value" || type === "total" ? formatBytes(v) : String(v)),
      },
      cliProgress.Presets.shades_classic,
    );
    this.overall = this.multibar.create(Math.max(1, this.total), 0, { name: "total".padEnd(36), info: "" });
    this.ticker = setInterval(() => this.overall?.update(this.done, { info: `| ${this.speed()}` }), 500);
    this.ticker.unref();
  }

  private countdown(what: string, waitMs: number): void {
    if (!this.tty) {
      this.log(`  rate limited on ${what}: waiting ${Math.ceil(waitMs / 1000)} s`);
      return;
    }
    clearInterval(this.waitTimer);
    const until = Date.now() + waitMs;
    this.waitTimer = setInterval(() => {
      const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      this.overall?.update(this.done, { name: `rate limited: resuming in ${left} s`.padEnd(36) });
      if (left === 0) {
        clearInterval(this.waitTimer);
        this.overall?.update(this.done, { name: "total".padEnd(36) });
      }
    }, 250);
    this.waitTimer.unref();
  }

  stopBars(): void {
    clearInterval(this.waitTimer);
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.multibar?.stop();
    this.multibar = undefined;
    this.overall = undefined;
  }
}

function planText(e: PlanEvent): string {
  const lines = [
    `source:      ${withoutRevision(e.source)} @ ${shortId(e.revision)}`,
    `destination: ${e.destination}  ${e.destinationUrl}`,
    `to copy:     ${e.copy.length} file(s), ${formatBytes(e.bytes)}`,
    `already there: ${e.present}`,
  ];
  if (e.refused.length)
    lines.push(`refused:     ${e.refused.map((r) => `${r.path} (${r.reason})`).join(", ")}`);
  if (e.delete.length) lines.push(`to delete:   ${e.delete.length} file(s)`);
  if (e.extra) lines.push(`not in source: ${extraText(e.extra)}`);
  for (const n of e.notes) lines.push(`note:        ${n}`);
  if (e.dealt?.length) {
    const shown = e.dealt
      .slice(0, 8)
      .map((d) => `worker ${d.worker}: ${d.files} file(s), ${formatBytes(d.bytes)}`);
    const more = e.dealt.length > 8 ? `; … and ${e.dealt.length - 8} more` : "";
    lines.push(`dealt:       largest first, by bytes: ${shown.join("; ")}${more}`);
  }
  const shown = e.copy.slice(0, 20);
  for (const f of shown) lines.push(`  + ${f.path} (${formatBytes(f.size)})`);
  if (e.copy.length > shown.length) lines.push(`  … and ${e.copy.length - shown.length} more`);
  return `${lines.join("\n")}\n`;
}

/** A run with nothing to do, in one line. */
function idleLine(e: PlanEvent): string {
  const head = `already in sync with ${withoutRevision(e.source)} @ ${shortId(e.revision)}`;
  if (e.extra)
    return `${head}: nothing to copy (${e.present} file(s) in ${e.destinationUrl}), but ${extraText(e.extra)}`;
  return `${head}: nothing to do (${e.present} file(s) in ${e.destinationUrl})`;
}

function shorten(s: string, n: number): string {
  return (s.length > n ? `…${s.slice(-(n - 1))}` : s).padEnd(n);
}
