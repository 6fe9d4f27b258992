/**
 * Lets through at most `max` events per `intervalMs` and counts the rest, so one source
 * (a worker sending garbage in a loop) cannot flood a log. Pure apart from the clock.
 */
export class RateLimit {
  private windowStart = 0;
  private used = 0;
  /** Events held back since the last one let through. */
  suppressed = 0;

  constructor(private readonly max = 5, private readonly intervalMs = 10_000, private readonly now = Date.now) {}

  /** True when this event may be logged; then `suppressed` says how many were held back before it. */
  allow(): boolean {
    const t = this.now();
    if (t - this.windowStart >= this.intervalMs) {
      this.windowStart = t;
      this.used = 0;
    }
    if (this.used >= this.max) {
      this.suppressed++;
      return false;
    }
    this.used++;
    return true;
  }

  /** Reads and resets the count of held-back events (say it with the next line logged). */
  takeSuppressed(): number {
    const n = this.suppressed;
    this.suppressed = 0;
    return n;
  }
}
