/**
 * Decides, once per listen(), whether this instance accepts through the kernel (a reuseport
 * group steered by the program) or through the primary, and says why. `auto` takes the
 * kernel on Linux when the socket calls load and the self-test passes, else the primary;
 * `kernel` fails instead of falling back. A port already in use fails both ways, as
 * net.Server#listen would.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { StickySetupError } from '../../errors.js';
import { ReuseportGroup, SocketCallError, claimPort } from './reuseport-group.js';
import { selfTest } from './self-test.js';
import { loadSocketCalls, type SocketCallsResult } from './socket-calls.js';
import { MAX_STEER_SLOTS, type SteerOptions } from './steer-program.js';

export type AcceptMode = 'auto' | 'kernel' | 'primary';

export interface ListenTarget {
  /** An IP literal or a host name; none: '::' (dual-stack), or '0.0.0.0' without IPv6. */
  host?: string;
  port: number;
  ipv6Only?: boolean;
  backlog?: number;
}

export type AcceptChoice =
  | { accept: 'kernel'; group: ReuseportGroup; reason: string }
  /** `fallback`: auto wanted the kernel and could not have it (worth a warning). */
  | { accept: 'primary'; reason: string; fallback?: boolean };

/**
 * Whether `auto` tries the kernel. Off in this build: with it on, eight process tests of the
 * first phase did not pass yet on the kernel path (crash fall-over timing, reload under load,
 * sticky-session's close tests, advanced serialization, workers holding a listening socket),
 * so kernel accept is opt-in (routing.accept: 'kernel') until they do.
 */
export const AUTO_TRIES_KERNEL = false;

export const AUTO_PRIMARY_REASON = 'routing.accept "auto" takes the primary in this release; "kernel" opts in';

export interface ChooseOptions {
  /** Default AUTO_TRIES_KERNEL. */
  autoTriesKernel?: boolean;
  /** The seam tests use to make the socket calls unavailable. */
  loadCalls?: () => SocketCallsResult;
  selfTestTimeoutMs?: number;
}

export async function chooseAccept(mode: AcceptMode, target: ListenTarget, steer: SteerOptions, options: ChooseOptions = {}): Promise<AcceptChoice> {
  if (mode === 'primary') return { accept: 'primary', reason: 'routing.accept is "primary"' };
  if (mode === 'auto' && !(options.autoTriesKernel ?? AUTO_TRIES_KERNEL)) {
    return { accept: 'primary', reason: AUTO_PRIMARY_REASON };
  }
  const unavailable = (reason: string): AcceptChoice => {
    if (mode === 'kernel') throw new StickySetupError(`routing.accept is "kernel" but ${reason}`);
    return { accept: 'primary', reason, fallback: true };
  };
  if (steer.slots > MAX_STEER_SLOTS) return unavailable(`kernel accept steers at most ${MAX_STEER_SLOTS} workers`);
  const loaded = (options.loadCalls ?? loadSocketCalls)();
  if (!loaded.ok) return unavailable(loaded.reason);
  const { calls } = loaded;
  const host = await resolveHost(target.host, calls);
  if (host.includes('%')) return unavailable(`kernel accept does not bind a zoned address (${host})`);
  const test = await selfTest(calls, {
    ...steer, ipv6: isIP(host) === 6, timeoutMs: options.selfTestTimeoutMs,
  });
  if (!test.ok) return unavailable(`the self-test failed: ${test.reason}`);
  // Throws what net.Server#listen would (EADDRINUSE...): no accept path can use the port.
  const claimed = claimPort(calls, host, target.port, target.ipv6Only);
  try {
    const group = ReuseportGroup.open(calls, { ...steer, host, port: claimed.port, ipv6Only: target.ipv6Only, backlog: target.backlog });
    return { accept: 'kernel', group, reason: `self-test passed; ${steer.slots} sockets on ${formatEndpoint(group.address.address, group.address.port)}` };
  } catch (err) {
    return unavailable(`the reuseport group did not open: ${(err as Error).message}`);
  }
}

/** As net.Server#listen: no host is '::' where IPv6 works, a name is its first address. */
async function resolveHost(host: string | undefined, calls: Parameters<typeof claimPort>[0]): Promise<string> {
  if (host === undefined || host === '') {
    try {
      claimPort(calls, '::', 0);
      return '::';
    } catch (err) {
      if (err instanceof SocketCallError && err.syscall === 'socket') return '0.0.0.0';
      throw err;
    }
  }
  if (isIP(host)) return host;
  return (await lookup(host)).address;
}

function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
