import { lookup } from 'node:dns/promises';
import { Server, Socket } from 'node:net';
import type { Connection, NativeHandle } from '../ipc/handoff.js';
import { Dispatcher } from './dispatcher.js';
import type { ConnectionRouter } from './connection-router.js';
import { KernelRouter } from './kernel/kernel-router.js';
import { confirmAccept, needsLookup, openAccept, type AcceptChoice, type AcceptOpening, type ListenTarget } from './kernel/choose-accept.js';
import { tcpListenArgs } from './kernel/listen-args.js';
import type { ReuseportGroup } from './kernel/reuseport-group.js';
import { hashKey } from '../routing/hash.js';
import { addressKey, peerKey, type PrefixOptions } from '../routing/address.js';
import { PreambleReaders, headerDecoders, isReadableHandle, proxyProtocolDecoder, type Decision } from './preamble-reader.js';
import { connectionPeer } from './peer-shares.js';
import { RejectLog, stderrLogger, type WarnLogger } from './reject-log.js';
import { PROXY_PREAMBLE_TIMEOUT_MS, prefixOf, resolveRouting, type ResolvedRouting } from '../routing/options.js';
import type { RoutingConfig } from '../config/types.js';
import { trustedPeers, type TrustedPeers } from '../routing/trusted-peers.js';

export interface BalancerOptions extends PrefixOptions {
  /** Slot count: keys hash over this many slots, whatever targets exist now. */
  workers: number;
  /** How connections pick their worker; default `{ by: 'ip' }`. Its seed/prefix/maxPending win over the top-level ones. */
  routing?: RoutingConfig;
  seed?: number;
  maxPending?: number;
  /** Where rejected connections are reported (rate-limited); default one line on stderr. */
  logger?: WarnLogger;
  /** A hand-off not acknowledged this long goes to the key's next slot (`health.handoffTimeoutMs`). */
  handoffTimeoutMs?: number;
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
  /** What the worker pool's events drive: the Dispatcher, or in ip mode the KernelRouter around it. */
  readonly router: ConnectionRouter;
  /** How connections are accepted, once listening ('kernel': the workers accept, steered by the kernel). */
  accept: AcceptChoice['accept'] | undefined;
  /** Why that accept path (logged once by whoever starts the balancer). */
  acceptReason: string | undefined;
  private readonly kernel: KernelRouter | undefined;
  /** The group bound by listen() while its self-test runs. */
  private confirming: ReuseportGroup | undefined;
  private readonly logger: WarnLogger;
  private readonly slotCount: number;
  readonly routing: ResolvedRouting;
  private readonly prefix: PrefixOptions;
  private readonly seed: number;
  private readonly readers: PreambleReaders | undefined;
  private readonly rejectLog: RejectLog;
  /** Peers whose header or PROXY preamble is believed; undefined: every peer (trustedProxies unset). */
  private readonly trusted: TrustedPeers | undefined;

  constructor(options: BalancerOptions) {
    const routing = resolveRouting(options.routing, {
      seed: options.seed, ipv4Prefix: options.ipv4Prefix, ipv6Prefix: options.ipv6Prefix, maxPending: options.maxPending,
    });
    // highWaterMark 0 makes the handle stop after every chunk it reads (PreambleReaders' Socket path).
    super(routing.by === 'ip' ? { pauseOnConnect: true } : { pauseOnConnect: true, highWaterMark: 0 });
    this.routing = routing;
    this.seed = routing.seed;
    this.prefix = prefixOf(routing);
    const logger = options.logger ?? stderrLogger;
    this.rejectLog = new RejectLog(logger);
    // Once listening, an error (accept failing with EMFILE) must not end the primary and every
    // connection with it: log it and keep listening. Before that, listen() reports its own.
    this.once('listening', () => this.on('error', (err: NodeJS.ErrnoException) => {
      logger.warn({ code: err.code }, `listening socket: ${err.message}; still listening`);
    }));
    this.trusted = routing.by === 'ip' ? undefined : trustedPeers(routing.trustedProxies);
    this.dispatcher = new Dispatcher({
      slotCount: options.workers,
      seed: this.seed,
      maxPending: routing.maxPending,
      onReject: (reason, detail) => this.rejectLog.record(reason, detail ?? `over ${reason} (${routing.maxPending}) connections waiting`, undefined),
      handoffTimeoutMs: options.handoffTimeoutMs,
    });
    this.logger = options.logger ?? stderrLogger;
    this.slotCount = options.workers;
    this.kernel = routing.by === 'ip' && routing.accept !== 'primary'
      ? new KernelRouter(this.dispatcher, {
        slotCount: options.workers, seed: this.seed, prefix: this.prefix, backlog: KERNEL_BACKLOG,
        giveSocket: (target, socket) => (target as { listenOn?(s: unknown): boolean }).listenOn?.(socket) ?? false,
        onError: (slot, err) => this.logger.warn({ slot }, `kernel accept: ${err.message}`),
      })
      : undefined;
    this.router = this.kernel ?? this.dispatcher;
    this.on('listening', () => this.takeRawHandles());
    if (routing.by === 'ip') {
      this.on('connection', this.route);
      return;
    }
    const prefix = this.prefix;
    const handlers = {
      maxPerPeer: maxPendingPerPeer(routing.maxPending),
      onRoute: (conn: Connection, data: Buffer, d: RouteDecision, peer: string) => this.routeRead(conn, data, d, peer),
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
   * it checks the peer against routing.trustedProxies and reads the handle's bytes itself
   * (PreambleReaders.readHandle). Building and destroying a Socket per connection was a third
   * of the primary's CPU per connection in ip mode, and more with the stream reads of the
   * other modes. Where a handle cannot be taken that way, the original onconnection builds
   * the Socket and the 'connection' listener takes over.
   */
  private takeRawHandles(): void {
    const listening = (this as unknown as { _handle: ListenHandle | null })._handle;
    if (!listening || typeof listening.onconnection !== 'function') return;
    const accept = listening.onconnection;
    const readers = this.readers;
    if (readers === undefined) {
      listening.onconnection = (err: number, handle: NativeHandle | undefined) => {
        if (err || !handle) return accept.call(listening, err, handle);
        this.dispatcher.dispatch(handle, hashKey(peerKey(connectionPeer(handle), this.prefix) ?? '', this.seed));
      };
      return;
    }
    listening.onconnection = (err: number, handle: NativeHandle | undefined) => {
      if (err || !handle || !isReadableHandle(handle)) return accept.call(listening, err, handle);
      // The peer address costs a getpeername: read it here only when trustedProxies needs it.
      let peer: string | undefined;
      if (this.trusted !== undefined && !this.trusted.has(peer = connectionPeer(handle))) {
        this.untrusted(handle, peer);
        return;
      }
      if (this.pendingCount >= this.routing.maxPending) {
        this.dispatcher.reject(handle, 'maxPending');
        return;
      }
      readers.readHandle(handle, peer);
    };
  }

  /** The public path, used only when the listening handle's onconnection cannot be taken. */
  private route(socket: Socket): void {
    this.dispatcher.dispatch(socket, hashKey(addressKey(socket.remoteAddress, this.prefix) ?? '', this.seed));
  }

  private readPreamble(socket: Socket): void {
    if (this.trusted !== undefined && !this.trusted.has(socket.remoteAddress)) {
      this.untrusted(socket, socket.remoteAddress ?? '');
      return;
    }
    if (this.pendingCount >= this.routing.maxPending) {
      this.dispatcher.reject(socket, 'maxPending');
      return;
    }
    this.readers!.read(socket);
  }

  /**
   * A peer outside routing.trustedProxies may not name the client. Header mode routes it by
   * the peer, reading nothing (as ip mode does); PROXY mode closes it before reading, since
   * its first bytes are a preamble that would otherwise reach the app as request bytes.
   */
  private untrusted(conn: Connection, peer: string): void {
    if (this.routing.by === 'header') {
      this.dispatcher.dispatch(conn, hashKey(addressKey(peer, this.prefix) ?? '', this.seed));
      return;
    }
    this.countReject(conn, 'untrusted-proxy', `a PROXY connection from ${peer}, which is not in routing.trustedProxies`, peer);
    if (conn instanceof Socket) conn.destroy();
    else conn.close();
  }

  private routeRead(conn: Connection, data: Buffer, d: RouteDecision, peer: string | undefined): void {
    const key = d.key ?? addressKey(peer ?? connectionPeer(conn), this.prefix) ?? '';
    // Only header-mode workers compare keys (misrouting); PROXY mode's key stays here.
    const extras = this.routing.by === 'header' ? { data, key } : { data, remote: d.remote };
    this.dispatcher.dispatch(conn, hashKey(key, this.seed), extras);
  }

  /** `peer` when the caller knows it; else read from the connection (rejects are rare). */
  private countReject(conn: Connection, why: string, detail: string, peer = connectionPeer(conn) || undefined): void {
    this.dispatcher.countReject(why);
    this.rejectLog.record(why, detail, peer);
  }

  /**
   * In ip mode with routing.accept 'auto' or 'kernel', a TCP port goes through openAccept:
   * the reuseport group is bound before listen() returns, as net.Server binds its port (the
   * original sticky-session's callers connect at once); its connections wait in the kernel's
   * queues until the self-test says who accepts them, and 'listening' follows that. Paths,
   * handles and descriptors always take the primary path.
   */
  override listen(...args: unknown[]): this {
    const tcp = this.kernel ? tcpListenArgs(args) : null;
    if (!tcp) {
      if (this.routing.by === 'ip') {
        this.decide('primary', this.kernel ? 'a path, handle or descriptor is accepted in the primary' : 'routing.accept is "primary"', false);
      }
      return super.listen(...(args as Parameters<Server['listen']>));
    }
    if (tcp.callback) this.once('listening', tcp.callback);
    const { host } = tcp.target;
    if (needsLookup(host)) {
      lookup(host).then(({ address }) => this.open({ ...tcp.target, host: address }), (err: Error) => this.emit('error', err));
    } else {
      this.open(tcp.target);
    }
    return this;
  }

  private open(target: ListenTarget): void {
    const mode = this.routing.by === 'ip' ? this.routing.accept : 'primary';
    const steer = { slots: this.slotCount, seed: this.seed, ...this.prefix };
    let opening: AcceptOpening;
    try {
      opening = openAccept(mode, target, steer);
    } catch (err) {
      // As net.Server#listen reports a bind failure: on the next tick.
      process.nextTick(() => this.emit('error', err));
      return;
    }
    if (opening.accept === 'primary') {
      this.decide('primary', opening.reason, opening.fallback === true);
      super.listen({ port: target.port, host: target.host, ipv6Only: target.ipv6Only, backlog: target.backlog });
      return;
    }
    const { group } = opening;
    // Slot 0's socket, never listened on here, stands as this server's handle: address(),
    // listening, ref/unref and close() then behave as net.Server's own.
    (this as unknown as { _handle: unknown })._handle = group.handle(0);
    this.confirming = group;
    confirmAccept(mode, opening, steer).then((choice) => {
      if (this.confirming !== group) return; // closed meanwhile
      this.confirming = undefined;
      this.decide(choice.accept, choice.reason, choice.accept === 'primary' && choice.fallback === true);
      // A failed self-test leaves the group bound: the primary accepts from all its sockets.
      this.kernel!.activate(group, choice.accept === 'kernel');
      this.emit('listening');
    }, (err: Error) => {
      if (this.confirming !== group) return;
      this.confirming = undefined;
      (this as unknown as { _handle: unknown })._handle = null;
      this.emit('error', err);
    });
  }

  /** Records the accept path and says it once: to whoever listens for 'accept' (the supervisor), else here when auto fell back. */
  private decide(accept: AcceptChoice['accept'], reason: string, fallback: boolean): void {
    this.accept = accept;
    this.acceptReason = reason;
    if (this.listenerCount('accept') > 0) this.emit('accept', accept, reason, fallback);
    else if (fallback) this.logger.warn({ accept }, `accepting in the primary: ${reason}`);
  }

  /** Stops accepting and closes every connection not handed off yet; then as net.Server#close. */
  override close(cb?: (err?: Error) => void): this {
    super.close(cb);
    // After super.close(): slot 0's socket stood as the server's handle and is closed there.
    this.confirming?.close();
    this.confirming = undefined;
    this.kernel?.close();
    this.readers?.closeAll();
    this.dispatcher.closeAll();
    this.rejectLog.stop();
    return this;
  }
}

type RouteDecision = Extract<Decision, { kind: 'route' }>;


/**
 * Un-routed connections one peer address may hold: a quarter of maxPending, so a slowloris
 * from one address leaves room for everyone else (a front proxy's heads arrive at once).
 */
export function maxPendingPerPeer(maxPending: number): number {
  return Math.max(1, Math.floor(maxPending / PER_PEER_SHARE));
}
const PER_PEER_SHARE = 4;

/** listen(2)'s backlog for the primary's accept from a slot's socket, as net.Server's default. */
const KERNEL_BACKLOG = 511;

/** Bound on a PROXY v2 preamble with its TLVs. */
const PROXY_PREAMBLE_MAX_BYTES = 16_384;
