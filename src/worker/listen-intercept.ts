import { Server, type AddressInfo } from 'node:net';
import { standIn } from './unbound-listen.js';

/**
 * The TCP port a listen() call names (0 when it names none), or undefined when it listens
 * on something else: a Unix socket or pipe path, a handle, a file descriptor. The forms are
 * net.Server#listen's: (port?, host?, backlog?, cb?), (path, ...), (options, cb?), (handle, ...).
 */
export function listenPort(args: unknown[]): number | undefined {
  const first = args[0];
  if (first === undefined || first === null || typeof first === 'function') return 0;
  if (typeof first === 'number') return first;
  if (typeof first === 'string') return isPortString(first) ? Number(first) : undefined;
  if (typeof first !== 'object') return undefined;
  const o = first as { port?: unknown; path?: unknown; fd?: unknown; handle?: unknown; _handle?: unknown };
  if (o.path !== undefined && o.path !== null) return undefined;
  if (o.fd !== undefined || o.handle !== undefined || o._handle !== undefined) return undefined;
  if (o.port === undefined || o.port === null) return 0;
  if (typeof o.port === 'number') return o.port;
  if (typeof o.port === 'string' && isPortString(o.port)) return Number(o.port);
  return undefined;
}

function isPortString(s: string): boolean {
  return /^\d+$/.test(s);
}

export interface InterceptOptions {
  /** Makes `server` the worker's server; its own listen() then binds nothing. */
  adopt(server: Server): void;
  /** The server adopted so far (by a listen(), a default export or sticky()), if any. */
  adopted(): Server | undefined;
  /** The primary's address: what the adopted server and its stand-ins report. */
  address: AddressInfo | undefined;
}

/**
 * Installed in the worker before the app loads, so an app that calls listen() itself runs
 * unmodified: the first server it makes listen on a TCP port (http, https, net, and what
 * Express, Koa, Fastify and socket.io create) is adopted, whatever port it names, and binds
 * nothing. A later server naming that port or the public one stands in for it without
 * binding; other ports and Unix sockets listen as usual (through the primary, as cluster does).
 */
export function interceptListen(options: InterceptOptions): void {
  const listen = Server.prototype.listen;
  const claimed = new Set<number>();
  if (options.address) claimed.add(options.address.port);
  Server.prototype.listen = function interceptedListen(this: Server, ...args: unknown[]) {
    const port = listenPort(args);
    if (port === undefined) return listen.apply(this, args as Parameters<Server['listen']>);
    if (!options.adopted()) {
      if (port !== 0) claimed.add(port);
      options.adopt(this);
      // adopt() gave the server a listen() of its own that binds nothing.
      return this.listen(...(args as Parameters<Server['listen']>));
    }
    if (claimed.has(port)) return standIn(this, args, options.address);
    return listen.apply(this, args as Parameters<Server['listen']>);
  } as Server['listen'];
}
