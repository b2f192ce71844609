import cliProgress from "cli-progress";
import type { TransferEvent } from "../../transfer/events.js";
import { formatBytes, formatDuration } from "./format.js";

/**
 * The terminal face of a transfer: the plan, a bar per file and one overall (rate and ETA), a
 * countdown while a rate limit is waited out, and the summary. Without a TTY it prints lines.
 */
export class HumanRenderer {
  private multibar?: cliProgress.MultiBar;
  private overall?: cliProgress.SingleBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly sent = new Map<string, number>();
  private total = 0;
  private done = 0;
  private waitTimer?: NodeJS.Timeout;
  private started = Date.now();

  private speed(): string {
    const secs = (Date.now() - this.started) / 1000;
    return `| ${formatBytes(secs > 0 ? this.done / secs : 0)}/s `;
  }

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly tty = !!process.stderr.isTTY,
  ) {}

  private log(line: string): void {
    if (this.multibar) this.multibar.log(`${line}\n`);
    else this.out.write(`${line}\n`);
  }

  handle = (e: TransferEvent): void => {
    switch (e.event) {
      case "plan":
        this.printPlan(e);
        this.total = e.bytes;
        break;
      case "file_start":
        this.ensureBars();
        if (this.tty && this.multibar && !this.bars.has(e.path)) {
          this.bars.set(
            e.path,
            this.multibar.create(Math.max(1, e.size), 0, { name: shorten(e.path, 36), speed: "" }),
          );
        }
        this.sent.set(e.path, 0);
        break;
      case "file_progress": {
        const before = this.sent.get(e.path) ?? 0;
        this.sent.set(e.path, e.bytes);
        this.done += Math.max(0, e.bytes - before);
        this.bars.get(e.path)?.update(e.bytes);
        this.overall?.update(this.done, { speed: this.speed() });
        break;
      }
      case "file_done": {
        const before = this.sent.get(e.path) ?? 0;
        this.done += Math.max(0, e.size - before);
        this.sent.set(e.path, e.size);
        this.overall?.update(this.done);
        const bar = this.bars.get(e.path);
        if (bar) {
          bar.update(Math.max(1, e.size));
          this.multibar?.remove(bar);
          this.bars.delete(e.path);
        }
        if (!this.tty)
          this.log(
            `  copied ${e.path} (${formatBytes(e.size)}${e.method === "stored" ? ", already stored on the destination" : ""})`,
          );
        break;
      }
      case "retry":
        this.log(`  retry ${e.attempt} of ${e.what} in ${(e.waitMs / 1000).toFixed(1)} s: ${e.reason}`);
        break;
      case "rate_limit":
        this.countdown(e.what, e.waitMs);
        break;
      case "commit":
        this.log(
          `  committed ${e.commit.slice(0, 12)}: ${e.files} file(s)${e.deleted ? `, ${e.deleted} deleted` : ""}`,
        );
        break;
      case "verify":
        this.stopBars();
        this.log(
          e.ok
            ? `verified: all ${e.files} files are on the destination with their hashes`
            : "verification FAILED",
        );
        break;
      case "summary":
        this.stopBars();
        this.out.write(
          [
            "",
            `done: ${e.files} file(s), ${formatBytes(e.bytes)} in ${formatDuration(e.seconds)} (${formatBytes(e.bytesPerSecond)}/s)` +
              `${e.skipped ? `; ${e.skipped} already there` : ""}${e.deleted ? `; ${e.deleted} deleted` : ""}`,
            `destination: ${e.destinationUrl}`,
            "",
          ].join("\n"),
        );
        break;
      case "error":
        this.stopBars();
        break;
    }
  };

  private printPlan(e: Extract<TransferEvent, { event: "plan" }>): void {
    const lines = [
      `source:      ${e.source} (${e.revision.slice(0, 12)})`,
      `destination: ${e.destination}  ${e.destinationUrl}`,
      `to copy:     ${e.copy.length} file(s), ${formatBytes(e.bytes)}`,
      `already there: ${e.present}`,
    ];
    if (e.refused.length)
      lines.push(`refused:     ${e.refused.map((r) => `${r.path} (${r.reason})`).join(", ")}`);
    if (e.delete.length) lines.push(`to delete:   ${e.delete.length} file(s)`);
    for (const n of e.notes) lines.push(`note:        ${n}`);
    const shown = e.copy.slice(0, 20);
    for (const f of shown) lines.push(`  + ${f.path} (${formatBytes(f.size)})`);
    if (e.copy.length > shown.length) lines.push(`  … and ${e.copy.length - shown.length} more`);
    this.out.write(`${lines.join("\n")}\n`);
  }

  private ensureBars(): void {
    if (!this.tty || this.multibar) return;
    this.multibar = new cliProgress.MultiBar(
      {
        format: "{bar} {percentage}% | {name} | {value}/{total} {speed}| ETA {eta_formatted}",
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        barsize: 24,
        etaBuffer: 50,
        formatValue: (v, _o, type) => (type === "value" || type === "total" ? formatBytes(v) : String(v)),
      },
      cliProgress.Presets.shades_classic,
    );
    this.started = Date.now();
    this.overall = this.multibar.create(Math.max(1, this.total), 0, { name: "total".padEnd(36), speed: "" });
    const tick = setInterval(() => this.overall?.update(this.done, { speed: this.speed() }), 500);
    tick.unref();
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
    this.multibar?.stop();
    this.multibar = undefined;
  }
}

function shorten(s: string, n: number): string {
  return (s.length > n ? `…${s.slice(-(n - 1))}` : s).padEnd(n);
}
