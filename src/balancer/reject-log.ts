import { stripControls } from '../text/control-chars.js';

/** What the balancer logs through: pino's `warn(obj, msg)` shape, so a pino logger fits. */
export interface WarnLogger {
  warn(obj: object, msg: string): void;
}

export const REJECT_LOG_INTERVAL_MS = 10_000;

/** Writes one line to stderr: the default when the app gives no logger (the legacy API). */
export const stderrLogger: WarnLogger = {
  warn(obj, msg) {
    process.stderr.write(`socketio-sticky-session: ${msg} ${JSON.stringify(obj)}\n`);
  },
};

/**
 * Logs closed connections without letting a flood of bad clients flood the log: the first
 * one in a quiet period is logged with its detail, the rest are counted per kind and logged
 * as one summary line per interval.
 */
export class RejectLog {
  private counts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly logger: WarnLogger, private readonly intervalMs = REJECT_LOG_INTERVAL_MS) {}

  record(kind: string, detail: string, remoteAddress: string | undefined): void {
    if (this.timer === undefined) {
      // `detail` quotes what the client sent (a header value): no terminal controls from it.
      this.logger.warn({ kind, remoteAddress }, `closed a connection: ${stripControls(detail)}`);
      this.arm();
      return;
    }
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.timer = setTimeout(() => this.summarise(), this.intervalMs);
    this.timer.unref();
  }

  private summarise(): void {
    this.timer = undefined;
    if (this.counts.size === 0) return;
    const byKind = Object.fromEntries(this.counts);
    let total = 0;
    for (const n of this.counts.values()) total += n;
    this.counts = new Map();
    this.logger.warn({ rejected: byKind }, `closed ${total} more connection(s) in the last ${this.intervalMs / 1000} s`);
    this.arm();
  }
}
