import cluster, { type Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import type { Dispatcher } from '../balancer/dispatcher.js';
import { isSticky, type WorkerToPrimary } from '../ipc/messages.js';
import { Backoff } from './backoff.js';
import { SlotWorker, type WorkerState } from './slot-worker.js';

export interface PoolOptions {
  count: number;
  env?: Record<string, string | number | boolean | undefined>;
  restart: { minUptimeMs: number; maxBackoffMs: number };
  drainTimeoutMs: number;
}

export interface Slot {
  readonly index: number;
  /** The worker taking the slot's new connections (or about to). */
  current: SlotWorker | undefined;
  /** Workers of this slot that are finishing their connections. */
  draining: Set<SlotWorker>;
  restarts: number;
  readonly backoff: Backoff;
  timer: NodeJS.Timeout | undefined;
  errored: boolean;
}

export interface PoolEvents {
  fork: [SlotWorker];
  online: [SlotWorker];
  exit: [SlotWorker, { code: number | null; signal: string | null; restartInMs: number | null }];
  stats: [SlotWorker];
}

/**
 * Forks one worker per fixed slot and keeps it there: a dead worker is replaced in the
 * same slot after a backoff, so only that slot's keys move while it is down.
 */
export class WorkerPool extends EventEmitter<PoolEvents> {
  readonly slots: Slot[];
  private stopping = false;

  constructor(private readonly options: PoolOptions, private readonly dispatcher: Dispatcher) {
    super();
    this.slots = Array.from({ length: options.count }, (_, index) => ({
      index,
      current: undefined,
      draining: new Set<SlotWorker>(),
      restarts: 0,
      backoff: new Backoff(options.restart),
      timer: undefined,
      errored: false,
    }));
  }

  /** Forks every slot; until each is first online (or `bootTimeoutMs`), its keys wait for it. */
  start(bootTimeoutMs = 10_000): void {
    for (const slot of this.slots) {
      this.dispatcher.markBooting(slot.index);
      this.fork(slot);
    }
    const timer = setTimeout(() => {
      for (const slot of this.slots) this.dispatcher.stopBooting(slot.index);
    }, bootTimeoutMs);
    timer.unref();
  }

  workers(): SlotWorker[] {
    const out: SlotWorker[] = [];
    for (const slot of this.slots) {
      if (slot.current) out.push(slot.current);
      out.push(...slot.draining);
    }
    return out;
  }

  stateOf(slot: Slot): WorkerState {
    if (slot.current) return slot.errored && slot.current.state === 'starting' ? 'errored' : slot.current.state;
    return slot.errored ? 'errored' : 'stopped';
  }

  /** Drains every worker and resolves once all have exited (SIGKILL at the drain timeout). */
  async stop(): Promise<void> {
    this.stopping = true;
    const exits: Promise<void>[] = [];
    for (const slot of this.slots) {
      clearTimeout(slot.timer);
      if (slot.current) {
        this.dispatcher.removeTarget(slot.current);
        slot.draining.add(slot.current);
        slot.current = undefined;
      }
      for (const w of slot.draining) exits.push(this.retire(w));
    }
    await Promise.all(exits);
  }

  /** Tells `w` to drain and resolves when it has exited, killing it after the drain timeout. */
  retire(w: SlotWorker, timeoutMs = this.options.drainTimeoutMs): Promise<void> {
    return new Promise((resolve) => {
      if (w.worker.isDead()) return resolve();
      const kill = setTimeout(() => w.worker.process.kill('SIGKILL'), timeoutMs + 1000);
      w.worker.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      w.drain(timeoutMs);
    });
  }

  fork(slot: Slot): SlotWorker {
    const worker = cluster.fork({
      ...this.options.env,
      STICKY_WORKER_SLOT: String(slot.index),
    });
    // NODE_WORKER_ID is what the original package's README printed: the worker's id.
    const w = new SlotWorker(slot.index, worker);
    slot.current = w;
    this.watch(slot, w);
    this.emit('fork', w);
    return w;
  }

  private watch(slot: Slot, w: SlotWorker): void {
    const { worker } = w;
    worker.process.on('internalMessage', (msg: unknown) => {
      if (!isSticky(msg)) return;
      this.onMessage(slot, w, msg as WorkerToPrimary);
    });
    worker.on('disconnect', () => this.dispatcher.removeTarget(w));
    worker.on('exit', (code, signal) => this.onExit(slot, w, code, signal));
    // A worker process that fails to spawn still emits exit; errors here are that case.
    worker.on('error', noop);
  }

  private onMessage(slot: Slot, w: SlotWorker, msg: WorkerToPrimary): void {
    switch (msg.t) {
      case 'ack':
        this.dispatcher.acknowledge(w, msg.id, msg.ok);
        break;
      case 'ready':
        if (slot.current !== w || w.state !== 'starting') break;
        w.state = 'online';
        slot.errored = false;
        this.dispatcher.setTarget(w);
        this.emit('online', w);
        break;
      case 'closing':
        // The app closed its server: route the slot to a fresh worker and let this one finish.
        this.dispatcher.removeTarget(w);
        w.state = 'draining';
        if (slot.current === w) {
          slot.current = undefined;
          slot.draining.add(w);
          if (!this.stopping) this.fork(slot);
        }
        break;
      case 'stats':
        w.active = msg.active;
        w.total = msg.total;
        w.misrouted = msg.misrouted;
        this.emit('stats', w);
        break;
    }
  }

  private onExit(slot: Slot, w: SlotWorker, code: number | null, signal: string | null): void {
    this.dispatcher.removeTarget(w);
    this.dispatcher.stopBooting(slot.index);
    w.exitCode = code;
    w.exitSignal = signal;
    w.active = 0;
    const wasCurrent = slot.current === w;
    slot.draining.delete(w);
    let restartInMs: number | null = null;
    if (wasCurrent) {
      slot.current = undefined;
      w.state = 'stopped';
      if (!this.stopping) {
        restartInMs = slot.backoff.next(w.uptimeMs);
        slot.errored = slot.backoff.errored;
        if (slot.errored) w.state = 'errored';
        slot.timer = setTimeout(() => {
          slot.timer = undefined;
          if (this.stopping || slot.current) return;
          slot.restarts++;
          this.fork(slot);
        }, restartInMs);
      }
    } else {
      w.state = 'stopped';
    }
    this.emit('exit', w, { code, signal, restartInMs });
  }
}

function noop(): void {}
