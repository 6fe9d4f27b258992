import cluster, { type Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { DEFAULTS } from '../config/schema.js';
import { slotEnv } from '../ipc/env.js';
import { isSticky, STICKY_CMD, type WorkerToPrimary } from '../ipc/messages.js';
import { checkWorkerMessage } from '../ipc/validate.js';
import { Backoff } from './backoff.js';
import { SlotWorker, type WorkerState } from './slot-worker.js';
import { noop } from '../util/noop.js';

export const DEFAULT_RESTART = { minUptimeMs: DEFAULTS.restart.minUptimeMs, maxBackoffMs: DEFAULTS.restart.maxBackoffMs };
export const DEFAULT_DRAIN_TIMEOUT_MS = DEFAULTS.reload.drainTimeoutMs;

/** Env of a forked worker, on top of the primary's (as cluster.fork takes it). */
export type WorkerEnv = Record<string, string | number | boolean | undefined>;

export interface PoolOptions {
  count: number;
  env?: WorkerEnv;
  restart: { minUptimeMs: number; maxBackoffMs: number };
  drainTimeoutMs: number;
  /** A worker not online this long after its fork is killed (and counts as a crash). */
  readyTimeoutMs?: number;
  /** A drained worker whose app is still cleaning up this long after its connections are done is killed. */
  killTimeoutMs?: number;
  /**
   * Heartbeats: every `heartbeatMs` each online worker is pinged; one that has answered
   * nothing for `timeoutMs` is `unresponsive`: taken off its slot's traffic and killed.
   */
  health?: { heartbeatMs: number; timeoutMs: number };
  /** Starts a worker process with this env; cluster.fork unless a test gives a fake. */
  fork?: (env: WorkerEnv) => Worker;
}

/** What a running pool may change (a reload re-reads the config). */
export type PoolUpdate = Partial<Pick<PoolOptions, 'restart' | 'drainTimeoutMs' | 'readyTimeoutMs' | 'killTimeoutMs' | 'health'>> & {
  /** Env of future forks, on top of the constructor's (which the balancer may have set). */
  env?: PoolOptions['env'];
};

export interface Slot {
  readonly index: number;
  /** The worker taking the slot's new connections (or about to). */
  current: SlotWorker | undefined;
  /** A replacement being started (reload); takes over only once online. */
  incoming: SlotWorker | undefined;
  /** Workers of this slot that are finishing their connections. */
  draining: Set<SlotWorker>;
  restarts: number;
  readonly backoff: Backoff;
  timer: NodeJS.Timeout | undefined;
  errored: boolean;
  /** Its first worker is starting: its connections wait for it (see the `booting` event). */
  booting: boolean;
}

export type WorkerRole = 'current' | 'incoming' | 'draining';

/**
 * What the pool tells the rest of the primary. The first five drive a connection router
 * (src/primary/route-pool.ts): the pool decides which worker serves a slot, never how
 * connections reach it.
 */
export interface PoolEvents {
  /** The slot's first worker is forking: connections for the slot should wait for it, not fall over. */
  booting: [slot: number];
  /** The slot's first start ended without it becoming routable (its worker died, or the boot wait ran out). */
  bootEnded: [slot: number];
  /** The worker now takes its slot's new connections (it replaces the slot's previous one). */
  routable: [SlotWorker];
  /** Send the worker nothing more; connections it has not acknowledged go elsewhere. Once, after `routable`. */
  unroutable: [SlotWorker];
  /** The worker took (ok) or refused hand-off `id`. */
  ack: [SlotWorker, id: number, ok: boolean];
  /**
   * The slot count changes (`sticky scale`): keys hash over `count` slots from now on. On a
   * grow it comes before the slots are added, and a listener that throws refuses the grow.
   */
  resize: [count: number];
  fork: [SlotWorker];
  online: [SlotWorker];
  /** `role`: what the worker was to its slot when it died (`draining` ones were asked to go). */
  exit: [SlotWorker, { code: number | null; signal: string | null; restartInMs: number | null; role: WorkerRole }];
  stats: [SlotWorker];
  /** The worker reported the error it is dying of (it set `lastError`). */
  workerError: [SlotWorker];
  /** The app closed its server; its slot gets a new worker in `restartInMs` (backoff when it closed young). */
  closed: [SlotWorker, { restartInMs: number }];
  /** The worker answered no heartbeat for `health.timeoutMs`: it is being killed (it cannot drain). */
  unresponsive: [SlotWorker];
  /** The worker sent a malformed message; it was dropped. */
  invalidMessage: [SlotWorker, reason: string];
}

/**
 * Forks one worker per fixed slot and keeps it there: a dead worker is replaced in the
 * same slot after a backoff, so only that slot's keys move while it is down.
 */
export class WorkerPool extends EventEmitter<PoolEvents> {
  readonly slots: Slot[];
  private stopping = false;
  private env: PoolOptions['env'] = {};
  /** Workers told routable and not yet unroutable (a replaced one stays until it goes). */
  private readonly routed = new Set<SlotWorker>();
  /** Connections served by workers that have exited, for the all-time total. */
  retiredConnections = 0;
  /** Misrouted requests counted by workers that have exited. */
  retiredMisrouted = 0;
  /** Slots a shrink removed: their workers drain and are never restarted. */
  private readonly removed = new WeakSet<Slot>();
  /** Workers of removed slots until they exit, with that exit. */
  private readonly leaving = new Map<SlotWorker, Promise<void>>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly options: PoolOptions) {
    super();
    this.slots = Array.from({ length: options.count }, (_, index) => this.newSlot(index));
  }

  private newSlot(index: number): Slot {
    return {
      index,
      current: undefined,
      incoming: undefined,
      draining: new Set<SlotWorker>(),
      restarts: 0,
      backoff: new Backoff(this.options.restart),
      timer: undefined,
      errored: false,
      booting: false,
    };
  }

  /**
   * Adds slots up to `count` and forks their workers (returned). The router hears of the
   * new count first: a new slot's keys stay on their previous slot until its worker is
   * routable, then move (about 1/count of all keys). A router that cannot grow (kernel
   * accept out of descriptors) throws from `resize` before any slot is added.
   */
  grow(count: number): SlotWorker[] {
    const from = this.slots.length;
    if (count <= from) return [];
    this.emit('resize', count);
    for (let index = from; index < count; index++) this.slots.push(this.newSlot(index));
    return this.slots.slice(from).map((slot) => this.fork(slot));
  }

  /**
   * Removes the slots from `count` on: their keys go to their next slot at once, their
   * workers drain (SIGKILL at the drain timeout). Resolves once those have exited.
   */
  shrink(count: number): Promise<void> {
    const gone = this.slots.splice(Math.max(0, count));
    for (const slot of gone) {
      this.removed.add(slot);
      clearTimeout(slot.timer);
      slot.timer = undefined;
      if (slot.current) {
        this.makeUnroutable(slot.current);
        slot.draining.add(slot.current);
        slot.current = undefined;
      }
      if (slot.incoming) {
        slot.draining.add(slot.incoming);
        slot.incoming = undefined;
      }
    }
    if (gone.length > 0) this.emit('resize', this.slots.length);
    for (const slot of gone) {
      for (const w of slot.draining) this.leaving.set(w, this.retire(w).then(() => void this.leaving.delete(w)));
    }
    return Promise.all([...this.leaving.values()]).then(noop);
  }

  /** Workers of removed slots that have not exited yet. */
  get leavingWorkers(): SlotWorker[] {
    return [...this.leaving.keys()];
  }

  /** Forks every slot; until each is first online (or `bootTimeoutMs`), its keys wait for it. */
  start(bootTimeoutMs = 10_000): void {
    for (const slot of this.slots) {
      slot.booting = true;
      this.emit('booting', slot.index);
      this.fork(slot);
    }
    const timer = setTimeout(() => {
      for (const slot of this.slots) this.endBoot(slot);
    }, bootTimeoutMs);
    timer.unref();
    this.startHeartbeat();
  }

  private startHeartbeat(): void {
    clearInterval(this.heartbeat);
    const health = this.options.health;
    if (health === undefined || this.stopping) return;
    this.heartbeat = setInterval(() => this.checkHeartbeats(health.timeoutMs), health.heartbeatMs);
    this.heartbeat.unref();
  }

  /**
   * Pings every online worker and kills those silent for `timeoutMs`. A worker must be
   * found overdue on two ticks in a row: after a stall of the primary itself, this tick
   * runs before the poll phase has read the pongs waiting in the channel.
   */
  private checkHeartbeats(timeoutMs: number): void {
    const now = Date.now();
    for (const w of this.workers()) {
      if (w.state !== 'online') continue;
      if (now - w.lastSeenAt <= timeoutMs) {
        w.overdue = false;
        w.control({ cmd: STICKY_CMD, t: 'ping' });
      } else if (!w.overdue) {
        w.overdue = true;
      } else {
        this.killUnresponsive(w, timeoutMs);
      }
    }
  }

  private killUnresponsive(w: SlotWorker, timeoutMs: number): void {
    w.state = 'unresponsive';
    w.lastError = { message: `answered no heartbeat for ${timeoutMs} ms (health.timeoutMs): its event loop is stuck; killed` };
    this.makeUnroutable(w);
    this.emit('unresponsive', w);
    w.worker.process.kill('SIGKILL');
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Requests whose key differed from their connection's, over every worker since the start. */
  get misrouted(): number {
    let n = this.retiredMisrouted;
    for (const w of this.workers()) n += w.misrouted;
    return n;
  }

  update(update: PoolUpdate): void {
    if (update.env !== undefined) this.env = update.env;
    // In place: every slot's Backoff holds this object.
    if (update.restart !== undefined) Object.assign(this.options.restart, update.restart);
    if (update.drainTimeoutMs !== undefined) this.options.drainTimeoutMs = update.drainTimeoutMs;
    if (update.readyTimeoutMs !== undefined) this.options.readyTimeoutMs = update.readyTimeoutMs;
    if (update.killTimeoutMs !== undefined) this.options.killTimeoutMs = update.killTimeoutMs;
    if (update.health !== undefined) {
      const changed = this.options.health?.heartbeatMs !== update.health.heartbeatMs || this.options.health.timeoutMs !== update.health.timeoutMs;
      this.options.health = update.health;
      if (changed && this.heartbeat !== undefined) this.startHeartbeat();
    }
  }

  workers(): SlotWorker[] {
    const out: SlotWorker[] = [];
    for (const slot of this.slots) {
      if (slot.current) out.push(slot.current);
      if (slot.incoming) out.push(slot.incoming);
      out.push(...slot.draining);
    }
    out.push(...this.leaving.keys());
    return out;
  }

  stateOf(slot: Slot): WorkerState {
    if (slot.current) return slot.errored && slot.current.state === 'starting' ? 'errored' : slot.current.state;
    return slot.errored ? 'errored' : 'stopped';
  }

  /** Drains every worker and resolves once all have exited (SIGKILL at the drain timeout). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeat);
    const exits: Promise<void>[] = [];
    for (const slot of this.slots) {
      clearTimeout(slot.timer);
      if (slot.incoming) {
        slot.draining.add(slot.incoming);
        slot.incoming = undefined;
      }
      if (slot.current) {
        this.makeUnroutable(slot.current);
        slot.draining.add(slot.current);
        slot.current = undefined;
      }
      for (const w of slot.draining) exits.push(this.retire(w));
    }
    exits.push(...this.leaving.values());
    await Promise.all(exits);
  }

  /**
   * Tells `w` to drain and resolves when it has exited, killing it after the drain timeout,
   * or, when its app cleans up after its connections are done, after the kill timeout.
   * A worker still starting drains once its server is registered (or fails to start).
   */
  retire(w: SlotWorker, timeoutMs = this.options.drainTimeoutMs): Promise<void> {
    return new Promise((resolve) => {
      if (w.worker.isDead()) return resolve();
      // Retired again (a stop while a closed worker drains): one kill timer, the latest.
      clearTimeout(w.killTimer);
      w.killTimer = setTimeout(() => w.worker.process.kill('SIGKILL'), timeoutMs + 1000);
      w.worker.once('exit', () => {
        clearTimeout(w.killTimer);
        resolve();
      });
      w.drain(timeoutMs);
    });
  }

  fork(slot: Slot, role: 'current' | 'incoming' = 'current'): SlotWorker {
    // The worker sets NODE_WORKER_ID itself: the cluster id is only known once forked.
    const env: WorkerEnv = { ...this.options.env, ...this.env, ...slotEnv(slot.index) };
    const worker = this.options.fork ? this.options.fork(env) : cluster.fork(env);
    const w = new SlotWorker(slot.index, worker);
    slot[role] = w;
    this.watch(slot, w);
    const readyTimeoutMs = this.options.readyTimeoutMs;
    if (readyTimeoutMs !== undefined) {
      w.readyTimer = setTimeout(() => {
        if (w.state !== 'starting') return;
        w.lastError ??= { message: `not online within ${readyTimeoutMs} ms (reload.readyTimeoutMs): the script must make its server listen, default-export a function returning it, or call sticky() with it` };
        w.worker.process.kill('SIGKILL');
      }, readyTimeoutMs);
    }
    this.emit('fork', w);
    return w;
  }

  /** Starts a replacement for `slot` beside its current worker (see `promote`). */
  forkIncoming(slot: Slot): SlotWorker {
    if (slot.incoming) throw new Error(`slot ${slot.index} is already starting a replacement`);
    return this.fork(slot, 'incoming');
  }

  /** Resolves true once `w` is online, false if it exits (or is killed) first. */
  whenSettled(w: SlotWorker): Promise<boolean> {
    if (w.state === 'online') return Promise.resolve(true);
    if (w.worker.isDead()) return Promise.resolve(false);
    return new Promise((resolve) => {
      const settle = (ok: boolean) => (x: SlotWorker): void => {
        if (x !== w) return;
        this.off('online', onOnline);
        this.off('exit', onExit);
        resolve(ok);
      };
      const onOnline = settle(true);
      const onExit = settle(false);
      this.on('online', onOnline);
      this.on('exit', onExit);
    });
  }

  /**
   * Routes the slot to its online replacement and drains the worker it replaces; resolves
   * once that one has exited.
   */
  promote(slot: Slot): Promise<void> {
    const next = slot.incoming;
    if (!next || next.state !== 'online') throw new Error(`slot ${slot.index} has no online replacement`);
    const old = slot.current;
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.incoming = undefined;
    slot.current = next;
    slot.errored = false;
    slot.backoff.reset();
    this.makeRoutable(slot, next);
    if (!old) return Promise.resolve();
    slot.draining.add(old);
    return this.retire(old);
  }

  private makeRoutable(slot: Slot, w: SlotWorker): void {
    slot.booting = false;
    this.routed.add(w);
    this.emit('routable', w);
  }

  private makeUnroutable(w: SlotWorker): void {
    if (this.routed.delete(w)) this.emit('unroutable', w);
  }

  private endBoot(slot: Slot): void {
    if (!slot.booting) return;
    slot.booting = false;
    this.emit('bootEnded', slot.index);
  }

  private watch(slot: Slot, w: SlotWorker): void {
    const { worker } = w;
    worker.process.on('internalMessage', (msg: unknown) => {
      if (!isSticky(msg)) return;
      const checked = checkWorkerMessage(msg);
      if (!checked.ok) {
        this.emit('invalidMessage', w, checked.reason);
        return;
      }
      w.lastSeenAt = Date.now();
      const m = checked.msg;
      // One ack per connection: kept out of onMessage's switch, which V8 optimizes late.
      if (m.t === 'ack') this.emit('ack', w, m.id, m.ok);
      else this.onMessage(slot, w, m);
    });
    worker.on('disconnect', () => this.makeUnroutable(w));
    worker.on('exit', (code, signal) => this.onExit(slot, w, code, signal));
    // A worker process that fails to spawn still emits exit; errors here are that case.
    worker.on('error', noop);
  }

  private onMessage(slot: Slot, w: SlotWorker, msg: Exclude<WorkerToPrimary, { t: 'ack' }>): void {
    switch (msg.t) {
      case 'ready':
        if (w.state !== 'starting') break;
        clearTimeout(w.readyTimer);
        w.onlineAt = w.lastSeenAt = Date.now();
        if (w.drainWhenReady !== undefined) {
          w.state = 'online';
          w.drain(w.drainWhenReady);
          break;
        }
        if (slot.incoming === w) {
          w.state = 'online';
          this.emit('online', w);
          break;
        }
        if (slot.current !== w) break;
        w.state = 'online';
        slot.errored = false;
        this.makeRoutable(slot, w);
        this.emit('online', w);
        break;
      case 'drained': {
        const killTimeoutMs = this.options.killTimeoutMs ?? DEFAULT_KILL_TIMEOUT_MS;
        clearTimeout(w.killTimer);
        w.killTimer = setTimeout(() => {
          w.lastError ??= { message: `still running ${killTimeoutMs} ms after its connections were done (reload.killTimeoutMs): killed` };
          w.worker.process.kill('SIGKILL');
        }, killTimeoutMs);
        break;
      }
      case 'error':
        w.lastError = { message: msg.message, stack: msg.stack };
        this.emit('workerError', w);
        break;
      case 'closing':
        // The app closed its server: route the slot to a fresh worker and let this one finish.
        // Retired as in a reload: nothing else ends a cluster worker (its IPC channel keeps
        // it alive), and each closed worker stayed, idle, for good.
        this.makeUnroutable(w);
        w.state = 'draining';
        if (slot.current === w) {
          slot.current = undefined;
          slot.draining.add(w);
          if (!this.stopping) {
            this.replaceClosed(slot, w);
            void this.retire(w);
          }
        }
        break;
      case 'pong':
        break;
      case 'stats':
        w.active = msg.active;
        w.total = msg.total;
        w.misrouted = msg.misrouted;
        this.emit('stats', w);
        break;
    }
  }

  /**
   * An app that closes its server soon after boot would be re-forked in a tight loop (16 forks
   * in 5 s): closing before minUptimeMs counts as dying young, with the same backoff.
   */
  private replaceClosed(slot: Slot, w: SlotWorker): void {
    const uptimeMs = w.onlineAt === undefined ? 0 : Date.now() - w.onlineAt;
    if (uptimeMs >= this.options.restart.minUptimeMs) {
      slot.backoff.reset();
      this.emit('closed', w, { restartInMs: 0 });
      this.fork(slot);
      return;
    }
    const restartInMs = slot.backoff.next(uptimeMs);
    slot.errored = slot.backoff.errored;
    this.scheduleFork(slot, restartInMs);
    this.emit('closed', w, { restartInMs });
  }

  private scheduleFork(slot: Slot, delayMs: number): void {
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (this.stopping || slot.current || slot.incoming) return;
      slot.restarts++;
      this.fork(slot);
    }, delayMs);
  }

  private onExit(slot: Slot, w: SlotWorker, code: number | null, signal: string | null): void {
    this.makeUnroutable(w);
    this.endBoot(slot);
    clearTimeout(w.readyTimer);
    clearTimeout(w.killTimer);
    w.exitCode = code;
    w.exitSignal = signal;
    w.active = 0;
    this.retiredConnections += w.total;
    this.retiredMisrouted += w.misrouted;
    const wasCurrent = slot.current === w;
    const role: WorkerRole = wasCurrent ? 'current' : slot.incoming === w ? 'incoming' : 'draining';
    slot.draining.delete(w);
    if (slot.incoming === w) slot.incoming = undefined;
    w.state = 'stopped';
    let restartInMs: number | null = null;
    if (wasCurrent) slot.current = undefined;
    // A failed replacement on an empty slot (down or errored) leaves it to the restart loop.
    if (!this.stopping && !this.removed.has(slot) && !slot.current && !slot.incoming && !slot.timer) {
      // Healthy means online for a while: a worker that dies before coming online failed,
      // however slowly it got there (a loaded machine boots slowly).
      restartInMs = slot.backoff.next(w.onlineAt === undefined ? 0 : Date.now() - w.onlineAt);
      slot.errored = slot.backoff.errored;
      if (slot.errored) w.state = 'errored';
      this.scheduleFork(slot, restartInMs);
    }
    this.emit('exit', w, { code, signal, restartInMs, role });
  }
}

const DEFAULT_KILL_TIMEOUT_MS = 5000;
