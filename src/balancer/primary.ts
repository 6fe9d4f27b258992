import { Server, type Socket } from 'node:net';
import { Dispatcher, type NativeHandle } from './dispatcher.js';
import { hashKey } from './hash.js';
import { addressKey, peerKey, type PrefixOptions } from './ip.js';
import { WorkerPool, type PoolOptions } from '../cluster/worker-pool.js';

export interface BalancerOptions extends PrefixOptions {
  workers: number;
  seed?: number;
  maxPending?: number;
  env?: PoolOptions['env'];
  restart?: Partial<PoolOptions['restart']>;
  drainTimeoutMs?: number;
}

interface ListenHandle {
  onconnection: (err: number, handle: NativeHandle | undefined) => void;
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
    this.on('listening', () => this.takeRawHandles());
  }

  /**
   * ip mode reads no byte, so the primary needs no Socket: it takes the accepted handle the
   * way Node's round-robin cluster does (round_robin_handle.js sets the listening handle's
   * onconnection), reads the peer address from it and sends it on. Building and destroying a
   * paused Socket per connection was a third of the primary's CPU per connection.
   */
  private takeRawHandles(): void {
    const listening = (this as unknown as { _handle: ListenHandle | null })._handle;
    if (!listening || typeof listening.onconnection !== 'function') return;
    const accept = listening.onconnection;
    const peer: { address?: string } = {};
    listening.onconnection = (err: number, handle: NativeHandle | undefined) => {
      if (err || !handle) return accept.call(listening, err, handle);
      peer.address = undefined;
      handle.getpeername(peer);
      this.dispatcher.dispatch(handle, hashKey(peerKey(peer.address, this.prefix) ?? '', this.seed));
    };
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
