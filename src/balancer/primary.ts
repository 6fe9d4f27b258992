import { Server, Socket } from 'node:net';
import type { Connection, NativeHandle } from '../ipc/handoff.js';
import { Dispatcher } from './dispatcher.js';
import { hashKey } from '../routing/hash.js';
import { addressKey, peerKey, type PrefixOptions } from '../routing/address.js';
import { PreambleReaders, headerDecoders, isReadableHandle, proxyProtocolDecoder, type Decision } from './preamble-reader.js';
import { RejectLog, stderrLogger, type WarnLogger } from './reject-log.js';
import { PROXY_PREAMBLE_TIMEOUT_MS, prefixOf, resolveRouting, type ResolvedRouting } from '../routing/options.js';
import type { RoutingConfig } from '../config/types.js';

export interface BalancerOptions extends PrefixOptions {
  /** Slot count: keys hash over this many slots, whatever targets exist now. */
  workers: number;
  /** How connections pick their worker; default `{ by: 'ip' }`. Its seed/prefix/maxPending win over the top-level ones. */
  routing?: RoutingConfig;
  seed?: number;
  maxPending?: number;
  /** Where rejected connections are reported (rate-limited); default one line on stderr. */
  logger?: WarnLogger;
}

interface ListenHandle {
  onconnection: (err: number, handle: NativeHandle | undefined) => void;
}

export { DEFAULT_MAX_PENDING } from '../routing/options.js';

/**
 * The primary's listening server. In `ip` mode connections arrive paused, so the primary
 * reads no byte: it hashes the peer address, hands the descriptor to the slot's worker and
 * is out of the data path. In `header` and `proxy-protocol` modes it first reads the
 * request head or PROXY preamble, then hands over the descriptor with those bytes.
 * A net.Server, so every listen() form, address() and close() work. Which workers exist is
 * not its business: its `dispatcher` is told (see ConnectionRouter).
 */
export class BalancerServer extends Server {
  readonly dispatcher: Dispatcher;
  readonly routing: ResolvedRouting;
  private readonly prefix: PrefixOptions;
  private readonly seed: number;
  private readonly readers: PreambleReaders | undefined;
  private readonly rejectLog: RejectLog;
  /** getpeername's out-parameter, reused: one object per connection was measurable. */
  private readonly peer: { address?: string } = {};

  constructor(options: BalancerOptions) {
    const routing = resolveRouting(options.routing, {
      seed: options.seed, ipv4Prefix: options.ipv4Prefix, ipv6Prefix: options.ipv6Prefix, maxPending: options.maxPending,
    });
    // highWaterMark 0 makes the handle stop after every chunk it reads (PreambleReaders' Socket path).
    super(routing.by === 'ip' ? { pauseOnConnect: true } : { pauseOnConnect: true, highWaterMark: 0 });
    this.routing = routing;
    this.seed = routing.seed;
    this.prefix = prefixOf(routing);
    this.rejectLog = new RejectLog(options.logger ?? stderrLogger);
    this.dispatcher = new Dispatcher({
      slotCount: options.workers,
      seed: this.seed,
      maxPending: routing.maxPending,
      onReject: (reason) => this.rejectLog.record(reason, `over ${reason} (${routing.maxPending}) connections waiting`, undefined),
    });
    this.on('listening', () => this.takeRawHandles());
    if (routing.by === 'ip') {
      this.on('connection', this.route);
      return;
    }
    const prefix = this.prefix;
    const handlers = {
      onRoute: (conn: Connection, data: Buffer, d: RouteDecision) => this.routeRead(conn, data, d),
      onReject: (conn: Connection, why: string, detail: string) => this.countReject(conn, why, detail),
    };
    this.readers = new PreambleReaders(routing.by === 'header'
      ? { ...handlers, timeoutMs: routing.headerTimeoutMs, answerHttp: true, decoder: headerDecoders({ ...routing, ...prefix }) }
      : { ...handlers, timeoutMs: PROXY_PREAMBLE_TIMEOUT_MS, answerHttp: false, decoder: () => proxyProtocolDecoder(prefix, PROXY_PREAMBLE_MAX_BYTES) });
    this.on('connection', this.readPreamble);
  }

  /** Connections the primary closed: bad or slow preambles, over maxPending. */
  get rejected(): number {
    return this.dispatcher.rejected;
  }

  /** Connections accepted and not yet adopted by a worker (being read or in hand-off). */
  get pendingCount(): number {
    return this.dispatcher.pendingCount + (this.readers?.size ?? 0);
  }

  /**
   * The primary needs no Socket per connection: it takes the accepted handle the way Node's
   * round-robin cluster does (round_robin_handle.js sets the listening handle's onconnection).
   * In ip mode it reads the peer address from it and sends it on; in header and PROXY modes
   * it reads the handle's bytes itself (PreambleReaders.readHandle). Building and destroying
   * a Socket per connection was a third of the primary's CPU per connection in ip mode, and
   * more with the stream reads of the other modes. Where a handle cannot be taken that way,
   * the original onconnection builds the Socket and the 'connection' listener takes over.
   */
  private takeRawHandles(): void {
    const listening = (this as unknown as { _handle: ListenHandle | null })._handle;
    if (!listening || typeof listening.onconnection !== 'function') return;
    const accept = listening.onconnection;
    const readers = this.readers;
    if (readers === undefined) {
      listening.onconnection = (err: number, handle: NativeHandle | undefined) => {
        if (err || !handle) return accept.call(listening, err, handle);
        this.dispatcher.dispatch(handle, hashKey(this.peerKeyOf(handle), this.seed));
      };
      return;
    }
    listening.onconnection = (err: number, handle: NativeHandle | undefined) => {
      if (err || !handle || !isReadableHandle(handle)) return accept.call(listening, err, handle);
      if (this.pendingCount >= this.routing.maxPending) {
        this.dispatcher.reject(handle, 'maxPending');
        return;
      }
      readers.readHandle(handle);
    };
  }

  private peerKeyOf(handle: NativeHandle): string {
    const peer = this.peer;
    peer.address = undefined;
    handle.getpeername(peer);
    return peerKey(peer.address, this.prefix) ?? '';
  }

  /** The public path, used only when the listening handle's onconnection cannot be taken. */
  private route(socket: Socket): void {
    this.dispatcher.dispatch(socket, hashKey(addressKey(socket.remoteAddress, this.prefix) ?? '', this.seed));
  }

  private readPreamble(socket: Socket): void {
    if (this.pendingCount >= this.routing.maxPending) {
      this.dispatcher.reject(socket, 'maxPending');
      return;
    }
    this.readers!.read(socket);
  }

  private routeRead(conn: Connection, data: Buffer, d: RouteDecision): void {
    const key = d.key ?? (conn instanceof Socket ? addressKey(conn.remoteAddress, this.prefix) ?? '' : this.peerKeyOf(conn));
    // Only header-mode workers compare keys (misrouting); PROXY mode's key stays here.
    const extras = this.routing.by === 'header' ? { data, key } : { data, remote: d.remote };
    this.dispatcher.dispatch(conn, hashKey(key, this.seed), extras);
  }

  private countReject(conn: Connection, why: string, detail: string): void {
    this.dispatcher.rejected++;
    this.rejectLog.record(why, detail, remoteAddressOf(conn));
  }

  /** Stops accepting and closes every connection not handed off yet; then as net.Server#close. */
  override close(cb?: (err?: Error) => void): this {
    super.close(cb);
    this.readers?.closeAll();
    this.dispatcher.closeAll();
    this.rejectLog.stop();
    return this;
  }
}

type RouteDecision = Extract<Decision, { kind: 'route' }>;

function remoteAddressOf(conn: Connection): string | undefined {
  if (conn instanceof Socket) return conn.remoteAddress;
  const peer: { address?: string } = {};
  conn.getpeername(peer);
  return peer.address;
}

/** Bound on a PROXY v2 preamble with its TLVs. */
const PROXY_PREAMBLE_MAX_BYTES = 16_384;
