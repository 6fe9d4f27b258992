import type { Socket } from 'node:net';
import { STICKY_CMD, type StatsMessage } from '../ipc/messages.js';

const REPORT_INTERVAL_MS = 1000;

/**
 * Counts the worker's adopted connections and reports them to the primary, batched: at most
 * once per interval and only when something changed, never per connection.
 */
export class ConnectionTracker {
  active = 0;
  total = 0;
  misrouted = 0;
  private dirty = false;
  private readonly timer: NodeJS.Timeout;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly sockets = new Set<Socket>();

  constructor(private readonly send: (msg: StatsMessage) => void) {
    this.timer = setInterval(() => this.flush(), REPORT_INTERVAL_MS);
    this.timer.unref();
  }

  add(socket: Socket): void {
    this.active++;
    this.total++;
    this.dirty = true;
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.active--;
      this.dirty = true;
      if (this.active === 0) this.onIdle();
    });
  }

  countMisrouted(): void {
    this.misrouted++;
    this.dirty = true;
  }

  /** Resolves once no adopted connection is open. */
  whenIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** The adopted connections still open. */
  open(): IterableIterator<Socket> {
    return this.sockets.values();
  }

  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.send({ cmd: STICKY_CMD, t: 'stats', active: this.active, total: this.total, misrouted: this.misrouted });
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private onIdle(): void {
    // No flush here: a worker at light load goes idle after nearly every connection, and a
    // stats message each time made the primary parse one more message per connection (seen in
    // callgrind). The interval reports it; whoever waits for idle flushes itself.
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
