/**
 * Restart delays for a crashing slot: 100 ms doubling up to the cap while the worker keeps
 * dying young; a worker that lived `minUptimeMs` resets the sequence. Pure: no timers.
 */
export interface BackoffOptions {
  initialMs?: number;
  maxBackoffMs: number;
  minUptimeMs: number;
  /** Consecutive early deaths after which the slot counts as errored. */
  erroredAfter?: number;
}

export class Backoff {
  private failures = 0;
  private readonly initialMs: number;
  private readonly erroredAfter: number;

  constructor(private readonly options: BackoffOptions) {
    this.initialMs = options.initialMs ?? 100;
    this.erroredAfter = options.erroredAfter ?? 3;
  }

  /** Records a worker exit after `uptimeMs` and returns how long to wait before the next fork. */
  next(uptimeMs: number): number {
    this.failures = uptimeMs >= this.options.minUptimeMs ? 0 : this.failures + 1;
    if (this.errored) return this.options.maxBackoffMs;
    return Math.min(this.initialMs * 2 ** Math.max(0, this.failures - 1), this.options.maxBackoffMs);
  }

  /** True once the slot has died young `erroredAfter` times in a row. */
  get errored(): boolean {
    return this.failures >= this.erroredAfter;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  reset(): void {
    this.failures = 0;
  }
}
