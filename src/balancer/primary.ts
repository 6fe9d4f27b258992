import { Server, type Socket } from 'node:net';
import { Dispatcher } from './dispatcher.js';
import { hashKey } from './hash.js';
import { addressKey, type PrefixOptions } from './ip.js';
import { WorkerPool, type PoolOptions } from '../cluster/worker-pool.js';

export interface BalancerOptions extends PrefixOptions {
  workers: number;
  seed?: number;
  maxPending?: number;
  env?: PoolOptions['env'];
  restart?: Partial<PoolOptions['restart']>;
  drainTimeoutMs?: number;
}

export const DEFAULT_MAX_PENDING = 10_000;
export const DEFAULT_RESTART = { minUptimeMs: 1_000, maxBackoffMs: 15_000 };
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

/**
 * The primary's listening server in `ip` mode. Connections arrive paused, so the primary
 * reads no byte: it hashes the peer address, hands the descriptor to the slot's worker and
 * is out of the data path. A net.Server, so every listen() form, address() and close() work.
 */
export class BalancerServer extends Server {
  readonly dispatcher: Dispatcher;
  readonly pool: WorkerPool;
  private readonly prefix: PrefixOptions;
  private readonly seed: number;

  constructor(options: BalancerOptions) {
    super({ pauseOnConnect: true });
    this.seed = options.seed ?? 0;
    this.prefix = { ipv4Prefix: options.ipv4Prefix, ipv6Prefix: options.ipv6Prefix };
    this.dispatcher = new Dispatcher({
      slotCount: options.workers,
      seed: this.seed,
      maxPending: options.maxPending ?? DEFAULT_MAX_PENDING,
    });
    this.pool = new WorkerPool({
      count: options.workers,
      env: options.env,
      restart: { ...DEFAULT_RESTART, ...options.restart },
      drainTimeoutMs: options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
    }, this.dispatcher);
    this.on('connection', this.route);
  }

  /** Routing key of a client address (the same function routes live connections). */
  keyHashOf(address: string | undefined): number {
    return hashKey(addressKey(address, this.prefix) ?? '', this.seed);
  }

  private route(socket: Socket): void {
    this.dispatcher.dispatch(socket, hashKey(addressKey(socket.remoteAddress, this.prefix) ?? '', this.seed));
  }

  /** Stops accepting, drains the workers, then calls back like net.Server#close. */
  override close(cb?: (err?: Error) => void): this {
    super.close();
    this.dispatcher.closeAll();
    void this.pool.stop().then(() => cb?.());
    return this;
  }
}
