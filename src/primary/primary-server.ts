import { BalancerServer, type BalancerOptions } from '../balancer/primary.js';
import {
  DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_RESTART, WorkerPool, type PoolOptions,
} from '../cluster/worker-pool.js';
import { ROUTING_ENV } from '../ipc/env.js';
import { routePool } from './route-pool.js';

export interface PrimaryOptions extends BalancerOptions {
  env?: PoolOptions['env'];
  restart?: Partial<PoolOptions['restart']>;
  drainTimeoutMs?: number;
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
    });
    routePool(this.pool, this.router);
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
