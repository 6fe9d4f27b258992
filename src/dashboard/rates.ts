/**
 * Connections per second derived from successive snapshots' running totals. Time comes from the
 * snapshots themselves (the process's uptime), so late or bunched deliveries do not skew the rate.
 * Pure: no clock, no timers.
 */
export const RATE_WINDOW_MS = 5_000;

interface Sample {
  atMs: number;
  total: number;
}

export class RateTracker {
  private readonly samples = new Map<string, Sample[]>();

  constructor(private readonly windowMs = RATE_WINDOW_MS) {}

  /**
   * Records `total` for `key` (a process: a pid) at `atMs` on that process's own clock and returns
   * the rate over the window, or undefined until two samples span some time. A clock that went
   * back or a total that fell means a different process: its history starts again.
   */
  record(key: string, atMs: number, total: number): number | undefined {
    let history = this.samples.get(key);
    const last = history?.[history.length - 1];
    if (!history || (last && (atMs < last.atMs || total < last.total))) {
      history = [];
      this.samples.set(key, history);
    }
    if (last && atMs === last.atMs && history.length > 0) {
      history[history.length - 1] = { atMs, total };
    } else {
      history.push({ atMs, total });
    }
    while (history.length > 2 && atMs - history[1]!.atMs >= this.windowMs) history.shift();
    return this.rate(key);
  }

  rate(key: string): number | undefined {
    const history = this.samples.get(key);
    if (!history || history.length < 2) return undefined;
    const first = history[0]!;
    const last = history[history.length - 1]!;
    const spanMs = last.atMs - first.atMs;
    return spanMs > 0 ? ((last.total - first.total) * 1000) / spanMs : undefined;
  }

  /** Forgets every key not in `live` (exited workers). */
  retain(live: Set<string>): void {
    for (const key of this.samples.keys()) if (!live.has(key)) this.samples.delete(key);
  }
}
