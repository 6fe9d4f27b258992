import { isIPv6, type AddressInfo, type Server } from 'node:net';
import { PUBLIC_HOST_ENV, PUBLIC_PORT_ENV } from '../ipc/env.js';

/** The primary's listening address, when the supervisor forked this worker; else undefined. */
export function publicAddress(env: NodeJS.ProcessEnv = process.env): AddressInfo | undefined {
  const host = env[PUBLIC_HOST_ENV];
  const port = Number(env[PUBLIC_PORT_ENV]);
  if (!host || !Number.isInteger(port) || port <= 0) return undefined;
  return { address: host, family: isIPv6(host) ? 'IPv6' : 'IPv4', port };
}

/**
 * listen() for a server that binds nothing (the primary owns the port): 'listening' on the
 * next tick as after a real bind, with the callback as its first listener.
 */
export function listenWithoutBinding(server: Server, args: unknown[]): Server {
  const cb = args.findLast((a) => typeof a === 'function') as (() => void) | undefined;
  if (cb) server.once('listening', cb);
  process.nextTick(() => server.emit('listening'));
  return server;
}

/**
 * Makes `server` look bound to the public address: address() reports it (apps and
 * frameworks log it, Fastify builds its URL from it) and `listening` is true until
 * `isOpen()` says otherwise.
 */
export function reportPublicAddress(server: Server, address: AddressInfo | undefined, isOpen: () => boolean): void {
  if (address) server.address = () => ({ ...address });
  Object.defineProperty(server, 'listening', { get: isOpen, configurable: true });
}

/**
 * A server the app makes listen on the adopted server's port after it (Fastify's second
 * 'localhost' address, say): binds nothing, gets no connections, closes at once.
 */
export function standIn(server: Server, args: unknown[], address: AddressInfo | undefined): Server {
  let open = true;
  reportPublicAddress(server, address, () => open);
  server.listen = ((...again: unknown[]) => listenWithoutBinding(server, again)) as Server['listen'];
  server.close = function close(cb?: (err?: Error) => void) {
    if (!open) {
      if (cb) process.nextTick(cb, Object.assign(new Error('Server is not running.'), { code: 'ERR_SERVER_NOT_RUNNING' }));
      return server;
    }
    open = false;
    if (cb) server.once('close', cb);
    process.nextTick(() => server.emit('close'));
    return server;
  } as Server['close'];
  return listenWithoutBinding(server, args);
}
