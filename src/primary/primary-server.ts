import { BalancerServer, type BalancerOptions } from '../balancer/primary.js';
import {
  DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_RESTART, WorkerPool, type PoolOptions,
} from '../cluster/worker-pool.js';
import { ROUTING_ENV } from '../ipc/env.js';
import { routePool } from './route-pool.js';
import { DEFAULTS } from '../config/schema.js';
import { stderrLogger } from '../balancer/reject-log.js';
import { RateLimit } from '../util/rate-limit.js';

export interface PrimaryOptions extends BalancerOptions {
  env?: PoolOptions['env'];
  restart?: Partial<PoolOptions['restart']>;
  drainTimeoutMs?: number;
  /** Heartbeats (see PoolOptions.health); the config's defaults unless given. */
  health?: PoolOptions['health'];
  /** Where malformed worker messages and refused late hand-off answers are reported (rate-limited); default stderr. */
  onWorkerWarning?: (w: { slot: number; pid?: number }, message: string) => void;
}

/**
 * The primary process's listening server with its workers: a BalancerServer beside a
 * WorkerPool of as many slots, the pool's events routed to the balancer's dispatcher.
 * Its close() also drains every worker before calling back (what sticky()'s server and
 * the supervisor's stop promise). Forks nothing until `pool.start()`.
 */
export class PrimaryServer extends BalancerServer {
  readonly pool: WorkerPool;

  constructor(options: PrimaryOptions) {
    super(options);
    // Header-mode workers compare each request's key with their connection's (misrouting).
    const env = this.routing.by === 'header' ? { ...options.env, [ROUTING_ENV]: JSON.stringify(this.routing) } : options.env;
    this.pool = new WorkerPool({
      count: options.workers,
      env,
      restart: { ...DEFAULT_RESTART, ...options.restart },
      drainTimeoutMs: options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
      health: options.health ?? { heartbeatMs: DEFAULTS.health.heartbeatMs, timeoutMs: DEFAULTS.health.timeoutMs },
    });
    routePool(this.pool, this.router);
    const warn = options.onWorkerWarning ?? ((w, message) => stderrLogger.warn({ slot: w.slot, workerPid: w.pid }, message));
    const limit = new RateLimit();
    const limited = (w: { slot: number; pid?: number }, message: string): void => {
      if (!limit.allow()) return;
      const held = limit.takeSuppressed();
      warn(w, held > 0 ? `${message} (${held} similar warnings suppressed before this one)` : message);
    };
    this.pool.on('invalidMessage', (w, reason) => limited(w, `dropped a malformed message from worker ${w.pid} (slot ${w.slot}): ${reason}`));
    this.dispatcher.onLateAck = (slot, ok) => limited({ slot }, `slot ${slot} answered a hand-off after health.handoffTimeoutMs; it had gone to another slot, so the answer was refused${ok ? ' (the worker claimed it)' : ' and the worker dropped its copy'}`);
  }

  /** Requests whose key differed from their connection's, over every worker since the start. */
  get misrouted(): number {
    return this.pool.misrouted;
  }

  /** Stops accepting, drains the workers, then calls back like net.Server#close. */
  override close(cb?: (err?: Error) => void): this {
    super.close();
    void this.pool.stop().then(() => cb?.());
    return this;
  }
}
