/**
 * Decides, once per listen(), whether this instance accepts through the kernel (a reuseport
 * group steered by the program) or through the primary, and says why. `auto` takes the
 * kernel on Linux when the socket calls load and the self-test passes, else the primary;
 * `kernel` fails instead of falling back. A port already in use fails both ways, as
 * net.Server#listen would.
 *
 * In two steps, so that listen() binds the port synchronously as net.Server#listen does
 * (sticky-session's callers connect as soon as listen() returns): openAccept binds the
 * group, then confirmAccept runs the self-test on a throwaway group while connections queue
 * in the real one's sockets. A failed self-test keeps the bound group and has the primary
 * accept from all of its sockets, so no connection that arrived meanwhile is refused.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { StickySetupError } from '../../errors.js';
import { ReuseportGroup, SocketCallError, claimPort } from './reuseport-group.js';
import { selfTest } from './self-test.js';
import { loadSocketCalls, type SocketCalls, type SocketCallsResult } from './socket-calls.js';
import { MAX_STEER_SLOTS, type SteerOptions } from './steer-program.js';

export type AcceptMode = 'auto' | 'kernel' | 'primary';

export interface ListenTarget {
  /** An IP literal or a host name; none: '::' (dual-stack), or '0.0.0.0' without IPv6. */
  host?: string;
  port: number;
  ipv6Only?: boolean;
  backlog?: number;
}

/** What listen() has after its synchronous step. */
export type AcceptOpening =
  /** Nothing bound: the primary listens itself. */
  | { accept: 'primary'; reason: string; fallback?: boolean }
  /** The group is bound and queues connections; confirmAccept says who accepts them. */
  | { accept: 'kernel'; group: ReuseportGroup; calls: SocketCalls };

export type AcceptChoice =
  | { accept: 'kernel'; group: ReuseportGroup; reason: string }
  /**
   * `fallback`: auto wanted the kernel and could not have it (worth a warning). `group`: the
   * port is already bound by a group whose self-test failed; the primary accepts from every
   * one of its sockets (without it, the primary listens itself).
   */
  | { accept: 'primary'; reason: string; fallback?: boolean; group?: ReuseportGroup };

export const AUTO_PRIMARY_REASON = 'routing.accept "auto" was told not to try the kernel';

export interface ChooseOptions {
  /** Whether `auto` tries the kernel; default true (the seam tests use to keep auto on the primary). */
  autoTriesKernel?: boolean;
  /** The seam tests use to make the socket calls unavailable. */
  loadCalls?: () => SocketCallsResult;
  selfTestTimeoutMs?: number;
}

/** A host listen() must look up first (a name); openAccept takes only literals or none. */
export function needsLookup(host: string | undefined): host is string {
  return host !== undefined && host !== '' && isIP(host) === 0;
}

/**
 * Synchronous: binds the reuseport group (connections queue in its sockets from now on) or
 * says why the primary listens itself. Throws what net.Server#listen would (EADDRINUSE...)
 * and, with `kernel`, why the kernel is unavailable.
 */
export function openAccept(mode: AcceptMode, target: ListenTarget, steer: SteerOptions, options: ChooseOptions = {}): AcceptOpening {
  if (mode === 'primary') return { accept: 'primary', reason: 'routing.accept is "primary"' };
  if (mode === 'auto' && options.autoTriesKernel === false) {
    return { accept: 'primary', reason: AUTO_PRIMARY_REASON };
  }
  if (needsLookup(target.host)) throw new TypeError(`openAccept takes an IP literal, not "${target.host}"`);
  const unavailable = (reason: string): AcceptOpening => fallBack(mode, reason);
  if (steer.slots > MAX_STEER_SLOTS) return unavailable(`kernel accept steers at most ${MAX_STEER_SLOTS} workers`);
  const loaded = (options.loadCalls ?? loadSocketCalls)();
  if (!loaded.ok) return unavailable(loaded.reason);
  const { calls } = loaded;
  const host = target.host || anyHost(calls);
  if (host.includes('%')) return unavailable(`kernel accept does not bind a zoned address (${host})`);
  // Throws what net.Server#listen would (EADDRINUSE...): no accept path can use the port.
  const claimed = claimPort(calls, host, target.port, target.ipv6Only);
  try {
    const group = ReuseportGroup.open(calls, { ...steer, host, port: claimed.port, ipv6Only: target.ipv6Only, backlog: target.backlog });
    return { accept: 'kernel', group, calls };
  } catch (err) {
    return unavailable(`the reuseport group did not open: ${(err as Error).message}`);
  }
}

/**
 * Runs the self-test for an opened group. Passed: the kernel. Failed: `kernel` closes the
 * group and throws; `auto` keeps it for the primary to accept from, with the reason.
 */
export async function confirmAccept(mode: AcceptMode, opening: Extract<AcceptOpening, { accept: 'kernel' }>, steer: SteerOptions, options: ChooseOptions = {}): Promise<AcceptChoice> {
  const { group, calls } = opening;
  const test = await selfTest(calls, { ...steer, ipv6: isIP(group.address.address) === 6, timeoutMs: options.selfTestTimeoutMs });
  if (test.ok) {
    return { accept: 'kernel', group, reason: `self-test passed; ${steer.slots} sockets on ${formatEndpoint(group.address.address, group.address.port)}` };
  }
  const reason = `the self-test failed: ${test.reason}`;
  if (mode === 'kernel') group.close();
  return { ...fallBack(mode, reason), group } as AcceptChoice;
}

/** Both steps, looking a host name up first (as net.Server#listen does). */
export async function chooseAccept(mode: AcceptMode, target: ListenTarget, steer: SteerOptions, options: ChooseOptions = {}): Promise<AcceptChoice> {
  const host = needsLookup(target.host) ? (await lookup(target.host)).address : target.host;
  const opening = openAccept(mode, { ...target, host }, steer, options);
  return opening.accept === 'primary' ? opening : confirmAccept(mode, opening, steer, options);
}

function fallBack(mode: AcceptMode, reason: string): { accept: 'primary'; reason: string; fallback: true } {
  if (mode === 'kernel') throw new StickySetupError(`routing.accept is "kernel" but ${reason}`);
  return { accept: 'primary', reason, fallback: true };
}

/** As net.Server#listen without a host: '::' where IPv6 works, else '0.0.0.0'. */
function anyHost(calls: SocketCalls): string {
  try {
    claimPort(calls, '::', 0);
    return '::';
  } catch (err) {
    if (err instanceof SocketCallError && err.syscall === 'socket') return '0.0.0.0';
    throw err;
  }
}

function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
