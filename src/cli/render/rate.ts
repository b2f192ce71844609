/** How far back the rate looks: long enough to smooth bursts, short enough to follow changes. */
const WINDOW_MS = 8000;
/** A rate from less than this is noise: none is shown yet. */
const MIN_SPAN_MS = 500;

/**
 * Transfer rate over a recent window (a sliding window of samples), so the first seconds show
 * a sane number and a stall shows at once, instead of an average since the start.
 */
export class RateWindow {
  private readonly samples: { at: number; total: number }[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Records the running total of bytes moved. */
  sample(total: number): void {
    const at = this.now();
    const last = this.samples.at(-1);
    if (last && last.at === at) last.total = total;
    else this.samples.push({ at, total });
    while (this.samples.length > 2 && at - this.samples[1]!.at >= WINDOW_MS) this.samples.shift();
  }

  /** Bytes per second over the window, or undefined while it is too short to say. */
  rate(): number | undefined {
    const at = this.now();
    const first = this.samples[0];
    if (!first) return undefined;
    const span = at - first.at;
    if (span < MIN_SPAN_MS) return undefined;
    const last = this.samples.at(-1)!;
    return Math.max(0, last.total - first.total) / (span / 1000);
  }

  /** Seconds until `remaining` bytes are moved at the current rate; undefined when unknown. */
  eta(remaining: number): number | undefined {
    const r = this.rate();
    if (r === undefined) return undefined;
    if (remaining <= 0) return 0;
    return r > 0 ? remaining / r : undefined;
  }
}
