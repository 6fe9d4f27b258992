import type { LogRecord } from '../control/protocol.js';

export const LOG_RING_SIZE = 1000;

/**
 * The primary's memory of recent log records for `sticky logs` and the dashboard: a fixed
 * array used as a ring, so a chatty app costs one slot write per line and no more memory
 * (each line is at most 16 KiB, so at most ~16 MiB in the worst case).
 */
export class LogRing {
  private readonly records: (LogRecord | undefined)[];
  private next = 0;
  private size = 0;
  private readonly listeners = new Set<(record: LogRecord) => void>();

  constructor(readonly capacity = LOG_RING_SIZE) {
    this.records = new Array<LogRecord | undefined>(capacity);
  }

  push(record: LogRecord): void {
    this.records[this.next] = record;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
    for (const listener of this.listeners) listener(record);
  }

  /** The `n` most recent records, oldest first. */
  last(n: number): LogRecord[] {
    const count = Math.max(0, Math.min(Math.floor(n), this.size));
    const out: LogRecord[] = [];
    for (let i = count; i > 0; i--) out.push(this.records[(this.next - i + this.capacity) % this.capacity]!);
    return out;
  }

  /** Calls `listener` with every later record; returns the unsubscribe. */
  subscribe(listener: (record: LogRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
