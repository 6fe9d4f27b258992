/**
 * net.Server#listen's arguments, read the way Node reads them, when they name a TCP port
 * (kernel accept needs one); null for a path, a handle or a descriptor (those stay on the
 * primary path). Pure: no I/O.
 */
import type { ListenTarget } from './choose-accept.js';

export interface TcpListen {
  target: ListenTarget;
  callback: (() => void) | undefined;
}

export function tcpListenArgs(args: readonly unknown[]): TcpListen | null {
  const last = args[args.length - 1];
  const callback = typeof last === 'function' ? (last as () => void) : undefined;
  const rest = callback ? args.slice(0, -1) : args;
  const first = rest[0];
  if (first !== null && typeof first === 'object') {
    const o = first as Record<string, unknown>;
    if ('path' in o && o.path != null) return null;
    if ('fd' in o && o.fd != null) return null;
    if ('handle' in o || '_handle' in o || typeof o.listen === 'function' || typeof o.getsockname === 'function') return null;
    const port = portOf(o.port);
    if (port === null) return null;
    return {
      target: {
        port,
        host: typeof o.host === 'string' ? o.host : undefined,
        ipv6Only: o.ipv6Only === true,
        backlog: typeof o.backlog === 'number' ? o.backlog : undefined,
      },
      callback,
    };
  }
  const port = portOf(first);
  if (port === null) return null;
  const host = typeof rest[1] === 'string' ? rest[1] : undefined;
  const backlog = [rest[1], rest[2]].find((v): v is number => typeof v === 'number');
  return { target: { port, host, backlog }, callback };
}

/** A port as Node takes it (number or numeric string; none means 0); null for a path or a bad port (Node's error then). */
function portOf(v: unknown): number | null {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : null;
}
