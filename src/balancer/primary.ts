import { Server, type Socket } from 'node:net';
import type { NativeHandle } from '../ipc/handoff.js';
import { Dispatcher } from './dispatcher.js';
import { hashKey } from '../routing/hash.js';
import { addressKey, peerKey, type PrefixOptions } from '../routing/address.js';
import { PreambleReaders, headerDecoders, proxyProtocolDecoder, type Decision } from './preamble-reader.js';
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

  constructor(options: BalancerOptions) {
    const routing = resolveRouting(options.routing, {
      seed: options.seed, ipv4Prefix: options.ipv4Prefix, ipv6Prefix: options.ipv6Prefix, maxPending: options.maxPending,
    });
    // highWaterMark 0 makes the handle stop after every chunk it reads (see PreambleReaders).
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
    if (routing.by === 'ip') {
      this.on('connection', this.route);
      this.on('listening', () => this.takeRawHandles());
      return;
    }
    const prefix = this.prefix;
    const handlers = {
      onRoute: (socket: Socket, data: Buffer, d: RouteDecision) => this.routeRead(socket, data, d),
      onReject: (socket: Socket, why: string, detail: string) => this.countReject(socket, why, detail),
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

  private routeRead(socket: Socket, data: Buffer, d: RouteDecision): void {
    const key = d.key ?? addressKey(socket.remoteAddress, this.prefix) ?? '';
    // Only header-mode workers compare keys (misrouting); PROXY mode's key stays here.
    const extras = this.routing.by === 'header' ? { data, key } : { data, remote: d.remote };
    this.dispatcher.dispatch(socket, hashKey(key, this.seed), extras);
  }

  private countReject(socket: Socket, why: string, detail: string): void {
    this.dispatcher.countReject(why);
    this.rejectLog.record(why, detail, socket.remoteAddress);
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

/** Bound on a PROXY v2 preamble with its TLVs. */
const PROXY_PREAMBLE_MAX_BYTES = 16_384;
