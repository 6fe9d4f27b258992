import { availableParallelism } from 'node:os';
import type { Server } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { tlsHeaderProblem } from '../routing/options.js';
import type { HeaderRouting } from '../config/types.js';
import { StickyConfigError } from '../errors.js';

/** The options object of the original package's README. */
export interface LegacyOptions {
  /** Worker count; defaults to the number of cores. */
  num?: number;
  /** Route by a header carrying the real client IP (the original's "layer 4 patching"). */
  proxy?: boolean;
  /** Header holding the client IP, case-insensitive; default x-forwarded-for. */
  header?: string;
  /** Route by the peer address when the header is missing instead of closing. */
  ignoreMissingHeader?: boolean;
  /** Replay read bytes only when `event` is emitted (README says isSynced, the code isSyncable). */
  sync?: { isSyncable?: boolean; isSynced?: boolean; event?: string };
}

export type ServerOrFactory = Server | (() => Server);

export interface ParsedLegacy {
  num: number;
  sync: { event: string } | undefined;
  /** Header routing when `proxy: true`; undefined routes by the client address. */
  routing: HeaderRouting | undefined;
  serverOrFactory: ServerOrFactory;
}

const DEFAULT_SYNC_EVENT = 'sticky-sessions:syn';

/** Accepts every call form of the original: (server), (factory), (num, x), (options, x). */
export function parseLegacyArgs(first: unknown, second: unknown): ParsedLegacy {
  const cores = availableParallelism();
  if (second === undefined) {
    return { num: cores, sync: undefined, routing: undefined, serverOrFactory: checkTarget(first) };
  }
  if (typeof first === 'number') {
    return { num: checkNum(first), sync: undefined, routing: undefined, serverOrFactory: checkTarget(second) };
  }
  if (typeof first !== 'object' || first === null) {
    throw new StickyConfigError([`sticky(options, server): options must be a number or an object, got ${typeof first}`]);
  }
  const o = first as LegacyOptions;
  const syncOn = !!(o.sync && (o.sync.isSynced || o.sync.isSyncable));
  const routing = o.proxy ? headerRouting(o) : undefined;
  const serverOrFactory = checkTarget(second);
  if (routing && serverOrFactory instanceof TlsServer) throw new StickyConfigError([tlsHeaderProblem()]);
  return {
    num: o.num === undefined ? cores : checkNum(o.num),
    sync: syncOn ? { event: o.sync?.event ?? DEFAULT_SYNC_EVENT } : undefined,
    routing,
    serverOrFactory,
  };
}

/** `proxy: true` is header routing; `header` and `ignoreMissingHeader` only count with it, as in the original. */
function headerRouting(o: LegacyOptions): HeaderRouting {
  if (o.header !== undefined && (typeof o.header !== 'string' || o.header.trim() === '')) {
    throw new StickyConfigError([`header: ${JSON.stringify(o.header)} is not a header name`]);
  }
  return {
    by: 'header',
    header: o.header?.trim(),
    ignoreMissingHeader: o.ignoreMissingHeader === undefined ? undefined : !!o.ignoreMissingHeader,
  };
}

function checkNum(n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1024) {
    throw new StickyConfigError([`num: ${String(n)} is not a whole number from 1 to 1024`]);
  }
  return n;
}

function checkTarget(x: unknown): ServerOrFactory {
  if (typeof x === 'function') return x as () => Server;
  if (typeof x === 'object' && x !== null && typeof (x as Server).emit === 'function') return x as Server;
  throw new StickyConfigError(['sticky(...): the last argument must be a server or a function returning one']);
}

export function resolveServer(target: ServerOrFactory): Server {
  const server = typeof target === 'function' ? target() : target;
  if (!server || typeof (server as Server).emit !== 'function') {
    throw new StickyConfigError(["sticky(factory): the factory didn't return a server"]);
  }
  return server;
}
