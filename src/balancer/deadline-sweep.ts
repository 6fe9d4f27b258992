import { performance } from 'node:perf_hooks';

/** What a DeadlineSweep holds: it sets `deadline` (performance.now() milliseconds) on add. */
export interface HasDeadline {
  deadline: number;
}

/**
 * Entries that expire `timeoutMs` after they were added, swept by one timer instead of one
 * timer per entry (a setTimeout per connection was a measurable part of the primary's cost
 * per connection in header and PROXY modes). Every entry has the same timeout, so insertion
 * order is deadline order: the sweep stops at the first entry not yet due. An entry expires
 * between its deadline and `slackMs` after it: the timer is never re-armed sooner than that.
 */
export class DeadlineSweep<T extends HasDeadline> {
  private readonly entries = new Set<T>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly onExpire: (entry: T) => void,
    private readonly slackMs = Math.max(1, Math.min(1000, timeoutMs / 4)),
  ) {}

  get size(): number {
    return this.entries.size;
  }

  add(entry: T): void {
    entry.deadline = performance.now() + this.timeoutMs;
    this.entries.add(entry);
    if (this.timer === undefined) this.arm(this.timeoutMs);
  }

  /** Forgets `entry` (done before its deadline); false if it was not held. */
  delete(entry: T): boolean {
    return this.entries.delete(entry);
  }

  /** Every entry held, oldest first (a copy: the caller may delete while walking it). */
  values(): T[] {
    return [...this.entries];
  }

  /** Forgets every entry and stops the timer. */
  clear(): void {
    this.entries.clear();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.sweep, Math.max(ms, this.slackMs));
  }

  private readonly sweep = (): void => {
    this.timer = undefined;
    const now = performance.now();
    for (const entry of this.entries) {
      if (entry.deadline > now) {
        if (this.timer === undefined) this.arm(entry.deadline - now);
        return;
      }
      this.entries.delete(entry);
      this.onExpire(entry);
    }
  };
}
