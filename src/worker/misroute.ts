import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { addressKey, type PrefixOptions } from '../routing/address.js';
import { headerKey, MAX_HEADER_LINES } from '../routing/proxy-header.js';
import { prefixOf, tlsHeaderProblem, type HeaderRoutingResolved } from '../routing/options.js';
import { ROUTING_ENV } from '../ipc/env.js';
import { trustedPeers, type TrustedPeers } from '../routing/trusted-peers.js';
import { StickyConfigError } from '../errors.js';
import type { ConnectionTracker } from './connection-tracker.js';
import { beforeRequests } from './request-hook.js';

export const MISROUTED_WARNING_CODE = 'STICKY_MISROUTED';

/** Header-mode routing the primary announced to its workers, or undefined in other modes. */
export function headerRoutingFromEnv(env: NodeJS.ProcessEnv = process.env): HeaderRoutingResolved | undefined {
  const raw = env[ROUTING_ENV];
  if (raw === undefined) return undefined;
  const routing = JSON.parse(raw) as { by?: string };
  return routing.by === 'header' ? routing as HeaderRoutingResolved : undefined;
}

/**
 * Header mode routes a connection by its first request. A proxy that pools upstream
 * keep-alive connections sends later requests of other clients down the same connection,
 * which stickiness per connection cannot follow: each request's key is compared with its
 * connection's, mismatches are counted, and the first one explains the cause and the fix.
 */
export class MisrouteCheck {
  private readonly keys = new WeakMap<Socket, string>();
  private readonly prefix: PrefixOptions;
  private readonly trusted: TrustedPeers | undefined;
  private warned = false;

  constructor(private readonly routing: HeaderRoutingResolved, private readonly tracker: ConnectionTracker) {
    this.prefix = prefixOf(routing);
    this.trusted = trustedPeers(routing.trustedProxies);
  }

  /** Watches the server's requests, socket.io's included. */
  watch(server: Server): void {
    if (server instanceof TlsServer) throw new StickyConfigError([tlsHeaderProblem()]);
    beforeRequests(server, (_event, req) => this.check(req));
  }

  remember(socket: Socket, key: string): void {
    this.keys.set(socket, key);
  }

  private check(req: IncomingMessage): void {
    const connKey = this.keys.get(req.socket);
    if (connKey === undefined) return;
    // The primary ignores the header of a peer outside routing.trustedProxies (routes by the
    // peer, which never changes on a connection): so does this check.
    if (this.trusted !== undefined && !this.trusted.has(req.socket.remoteAddress)) return;
    const { header, ignoreMissingHeader } = this.routing;
    const values: string[] = [];
    const raw = req.rawHeaders;
    // rawHeaders can hold lines past those in req.headers; compare only what the app sees.
    const end = Math.min(raw.length, MAX_HEADER_LINES * 2);
    for (let i = 0; i < end; i += 2) {
      if (raw[i]!.length === header.length && raw[i]!.toLowerCase() === header) values.push(raw[i + 1]!);
    }
    let key = headerKey(values, { ...this.routing, ...this.prefix });
    if (key === null) {
      if (!ignoreMissingHeader) return;
      key = addressKey(req.socket.remoteAddress, this.prefix);
    }
    if (key === null || key === connKey) return;
    this.tracker.countMisrouted();
    if (this.warned) return;
    this.warned = true;
    process.emitWarning(
      `a request's ${header} (${key}) differs from the client its connection was routed by (${connKey}). ` +
      'The proxy in front pools upstream keep-alive connections across clients (nginx `keepalive` in an ' +
      'upstream block, HAProxy `http-reuse`), so per-connection stickiness cannot hold and socket.io ' +
      'sessions will break. Fix: remove `keepalive` from the nginx upstream (or set `http-reuse never` in ' +
      'HAProxy), or let the proxy keep clients on one port with `ip_hash`/`hash` or `balance source` ' +
      'and route here by "ip" or "proxy-protocol". Counted in status connections.misrouted; warned once per worker.',
      { code: MISROUTED_WARNING_CODE },
    );
  }
}
