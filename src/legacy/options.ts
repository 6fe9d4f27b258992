import { availableParallelism } from 'node:os';
import type { Server } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { tlsHeaderProblem } from '../routing/options.js';
import type { HeaderRouting } from '../config/types.js';
import { ROUTING_FIELDS, workerCount } from '../config/schema.js';
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
  // The options map onto the config schema: num is `workers`, header is `routing.header`.
  const problems: string[] = [];
  if (o.num !== undefined) workerCount(o.num, 'num', problems);
  const routing = o.proxy ? headerRouting(o, problems) : undefined;
  if (problems.length > 0) throw new StickyConfigError(problems);
  const serverOrFactory = checkTarget(second);
  if (routing && serverOrFactory instanceof TlsServer) throw new StickyConfigError([tlsHeaderProblem()]);
  return {
    num: o.num ?? cores,
    sync: syncOn ? { event: o.sync?.event ?? DEFAULT_SYNC_EVENT } : undefined,
    routing,
    serverOrFactory,
  };
}

/** `proxy: true` is header routing; `header` and `ignoreMissingHeader` only count with it, as in the original. */
function headerRouting(o: LegacyOptions, problems: string[]): HeaderRouting {
  // The original read req.headers[header]: surrounding blanks were never part of the name.
  const header = typeof o.header === 'string' && o.header.trim() !== '' ? o.header.trim() : o.header;
  if (header !== undefined) ROUTING_FIELDS.header.check(header, 'header', problems);
  return {
    by: 'header',
    header,
    ignoreMissingHeader: o.ignoreMissingHeader === undefined ? undefined : !!o.ignoreMissingHeader,
  };
}

function checkNum(n: unknown): number {
  const problems: string[] = [];
  workerCount(n, 'num', problems);
  if (problems.length > 0) throw new StickyConfigError(problems);
  return n as number;
}

/** sticky.listen(server, port, { workers }): the same worker limit as everywhere. */
export function checkListenWorkers(workers: unknown): number {
  if (workers === undefined) return availableParallelism();
  const problems: string[] = [];
  workerCount(workers, 'workers', problems);
  if (problems.length > 0) throw new StickyConfigError(problems);
  return workers as number;
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
