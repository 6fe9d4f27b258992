import type { Worker } from 'node:cluster';
import type { Socket } from 'node:net';
import type { Target } from '../balancer/dispatcher.js';
import { STICKY_CMD, type ConnMessage, type PrimaryToWorker } from '../ipc/messages.js';

export type WorkerState = 'starting' | 'online' | 'draining' | 'stopped' | 'errored';

const SEND_OPTIONS = { keepOpen: true } as const;

/** One worker process in a slot, as the primary sees it. */
export class SlotWorker implements Target {
  state: WorkerState = 'starting';
  active = 0;
  total = 0;
  misrouted = 0;
  readonly startedAt = Date.now();
  /** When it registered its server; undefined while starting (and forever if it never did). */
  onlineAt: number | undefined;
  exitCode: number | null = null;
  exitSignal: string | null = null;
  /** The error the worker reported before dying, or why the pool killed it. */
  lastError: { message: string; stack?: string } | undefined;
  /** While draining: when its remaining connections are destroyed (epoch ms). */
  drainDeadline: number | undefined;
  /** Kills the worker if it is not online in time (PoolOptions.readyTimeoutMs). */
  readyTimer: NodeJS.Timeout | undefined;

  constructor(readonly slot: number, readonly worker: Worker) {}

  get pid(): number {
    return this.worker.process.pid ?? 0;
  }

  get uptimeMs(): number {
    return Date.now() - this.startedAt;
  }

  get connected(): boolean {
    return this.worker.isConnected();
  }

  send(msg: ConnMessage, socket: Socket, cb: (err: Error | null) => void): void {
    if (!this.worker.isConnected()) {
      process.nextTick(cb, new Error('worker disconnected'));
      return;
    }
    // keepOpen: the primary keeps its descriptor until the worker acks, so a worker that
    // dies first cannot take the connection with it.
    this.worker.process.send(msg, socket, SEND_OPTIONS, cb);
  }

  control(msg: PrimaryToWorker): void {
    if (this.worker.isConnected()) this.worker.process.send(msg, undefined, undefined, noop);
  }

  drain(timeoutMs: number): void {
    this.state = 'draining';
    this.drainDeadline = Date.now() + timeoutMs;
    this.control({ cmd: STICKY_CMD, t: 'drain', timeoutMs });
  }
}

function noop(): void {}
