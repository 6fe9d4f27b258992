import type { SlotWorker } from '../cluster/slot-worker.js';
import type { Slot, WorkerPool } from '../cluster/worker-pool.js';
import { readRssBytes } from './proc-stats.js';

/** How often each online worker's RSS is read from /proc (one small file per worker). */
export const MEMORY_SAMPLE_MS = 1000;
/** After a replacement failed, the worker over the limit is tried again this much later. */
export const RETRY_AFTER_FAILURE_MS = 10_000;

/**
 * PM2's max_memory_restart, without killing: every MEMORY_SAMPLE_MS the RSS of each slot's
 * online worker is read, and a worker above `limitBytes` is handed to `replace` (a rolling
 * reload of its slot: its connections drain). One replacement per worker at a time.
 */
export class MemoryWatch {
  private readonly timer: NodeJS.Timeout;
  private readonly replacing = new Set<SlotWorker>();
  private checking = false;

  constructor(
    private readonly pool: Pick<WorkerPool, 'slots'>,
    readonly limitBytes: number,
    private readonly replace: (slot: Slot, w: SlotWorker, rssBytes: number) => Promise<void>,
    intervalMs = MEMORY_SAMPLE_MS,
    private readonly readRss: (pid: number) => Promise<number | undefined> = readRssBytes,
  ) {
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass over the slots (the timer's; exported for tests). */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      for (const slot of this.pool.slots) {
        const w = slot.current;
        if (!w || w.state !== 'online' || slot.incoming || this.replacing.has(w)) continue;
        const rss = await this.readRss(w.pid);
        if (rss === undefined || rss <= this.limitBytes) continue;
        this.replacing.add(w);
        void this.replace(slot, w, rss).then(() => {
          // Still current: its replacement failed. Try again later, not every sample.
          if (slot.current === w) setTimeout(() => this.replacing.delete(w), RETRY_AFTER_FAILURE_MS).unref();
          else this.replacing.delete(w);
        }, () => this.replacing.delete(w));
      }
    } finally {
      this.checking = false;
    }
  }
}
