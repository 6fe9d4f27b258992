import type { Worker } from 'node:cluster';
import type { Socket } from 'node:net';
import type { FatalReport } from '../ipc/fatal-report.js';
import type { Connection } from '../ipc/handoff.js';
import { STICKY_CMD, type ConnMessage, type PrimaryToWorker } from '../ipc/messages.js';
import { noop } from '../util/noop.js';

export type WorkerState = 'starting' | 'online' | 'draining' | 'stopped' | 'errored' | 'unresponsive';

const SEND_OPTIONS = { keepOpen: true } as const;

/**
 * One worker process in a slot, as the primary sees it; a connection router's Target
 * (src/balancer/connection-router.ts) once the pool says it is routable.
 */
export class SlotWorker {
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
  /** Node's fatal-error report, when it aborted (out of memory, or another fatal error). */
  fatal: FatalReport | undefined;
  /** While draining: when its remaining connections are destroyed (epoch ms). */
  drainDeadline: number | undefined;
  /** While retired: kills it at the drain timeout, then (its app cleaning up) at the kill timeout. */
  killTimer: NodeJS.Timeout | undefined;
  /** Kills the worker if it is not online in time (PoolOptions.readyTimeoutMs). */
  readyTimer: NodeJS.Timeout | undefined;
  /** When the primary last heard from it (any message); heartbeats compare against it. */
  lastSeenAt = 0;
  /** Found silent past health.timeoutMs on the last heartbeat tick (killed if again on the next). */
  overdue = false;
  /** Asked to drain while starting: drained with this timeout once its server is registered. */
  drainWhenReady: number | undefined;

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

  send(msg: ConnMessage, conn: Connection): boolean {
    if (!this.worker.isConnected()) return false;
    // keepOpen: the primary keeps its descriptor until the worker acks, so a worker that
    // dies first cannot take the connection with it. No callback: a failed write is followed
    // by the channel's disconnect, which re-routes every unacknowledged connection (and a
    // callback costs a closure and a nextTick per connection). A raw TCP handle travels as
    // Node's 'net.Native' (the types only list Socket and Server).
    this.worker.process.send(msg, conn as Socket, SEND_OPTIONS);
    return true;
  }

  /** Kernel accept: gives the worker its slot's listening socket (the primary keeps its own copy). */
  listenOn(socket: unknown): boolean {
    if (!this.worker.isConnected()) return false;
    this.worker.process.send({ cmd: STICKY_CMD, t: 'listen' } satisfies PrimaryToWorker, socket as Socket, SEND_OPTIONS, noop);
    return true;
  }

  control(msg: PrimaryToWorker): void {
    if (this.worker.isConnected()) this.worker.process.send(msg, undefined, undefined, noop);
  }

  drain(timeoutMs: number): void {
    // Nothing in a starting worker listens for the message yet; the pool sends it on 'ready'.
    if (this.state === 'starting') {
      this.drainWhenReady = timeoutMs;
      return;
    }
    this.state = 'draining';
    this.drainDeadline = Date.now() + timeoutMs;
    this.control({ cmd: STICKY_CMD, t: 'drain', timeoutMs });
  }
}
