/**
 * Start-up check that this kernel runs the steering program as the primary's hash predicts:
 * a throwaway group on loopback with the same slot count and prefixes, and connections from
 * sources predicted to different slots, at least one of them not slot 0 (a program whose
 * address load fails sends everything to slot 0, silently). Tested on a throwaway group so
 * that no client of the real one is accepted by the test.
 */
import { Server, connect, type Socket } from 'node:net';
import { ReuseportGroup, claimPort } from './reuseport-group.js';
import type { SocketCalls } from './socket-calls.js';
import { slotOfAddress, type SteerOptions } from './steer-program.js';

export type SelfTestResult = { ok: true } | { ok: false; reason: string };

export interface SelfTestOptions extends SteerOptions {
  /** Also check IPv6 sources (the real group listens on IPv6 or dual-stack). */
  ipv6: boolean;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 3_000;
const MAX_SOURCES = 4;
const SEED_TRIES = 64;

/** 127.0.0.1-254, then sources that differ in higher bytes, for short ipv4Prefix groupings. */
export const IPV4_SOURCES: readonly string[] = [
  ...Array.from({ length: 254 }, (_, i) => `127.0.0.${i + 1}`),
  ...Array.from({ length: 255 }, (_, i) => `127.${i + 1}.0.1`),
];

export async function selfTest(calls: SocketCalls, options: SelfTestOptions): Promise<SelfTestResult> {
  const plans = [{ host: '127.0.0.1', candidates: IPV4_SOURCES }];
  if (options.ipv6) plans.push({ host: '::1', candidates: ['::1'] });
  for (const plan of plans) {
    const probe = chooseSources(plan.candidates, options);
    if (!probe) return { ok: false, reason: `no loopback source reaches a slot other than 0 with ${options.slots} slots` };
    const result = await runProbe(calls, plan.host, { ...options, seed: probe.seed }, probe.sources, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (!result.ok) return result;
  }
  return { ok: true };
}

/**
 * Up to MAX_SOURCES candidates predicted to distinct slots, one of them not 0. Where the
 * prefixes put every candidate in one group, another seed (same program shape) moves it.
 */
export function chooseSources(candidates: readonly string[], options: SteerOptions): { seed: number; sources: string[] } | null {
  for (let t = 0; t < SEED_TRIES; t++) {
    const seed = (options.seed + t) >>> 0;
    const bySlot = new Map<number, string>();
    for (const c of candidates) {
      const slot = slotOfAddress(c, { ...options, seed });
      if (!bySlot.has(slot)) bySlot.set(slot, c);
      if (bySlot.size === Math.min(MAX_SOURCES, options.slots)) break;
    }
    if (options.slots === 1 || [...bySlot.keys()].some((s) => s !== 0)) return { seed, sources: [...bySlot.values()] };
  }
  return null;
}

async function runProbe(calls: SocketCalls, host: string, options: SteerOptions, sources: string[], timeoutMs: number): Promise<SelfTestResult> {
  let group: ReuseportGroup;
  try {
    group = ReuseportGroup.open(calls, { ...options, host, port: claimPort(calls, host, 0).port });
  } catch (err) {
    return { ok: false, reason: `a reuseport group on ${host} did not open: ${(err as Error).message}` };
  }
  const servers: Server[] = [];
  const clients: Socket[] = [];
  const arrived = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await new Promise<SelfTestResult>((resolve) => {
      timer = setTimeout(() => resolve({
        ok: false, reason: `test connections did not all arrive within ${timeoutMs} ms (${arrived.size} of ${sources.length})`,
      }), timeoutMs);
      for (let slot = 0; slot < group.size; slot++) {
        const server = new Server((socket) => {
          arrived.set(socket.remoteAddress ?? '', slot);
          socket.destroy();
          if (arrived.size === sources.length) resolve({ ok: true });
        });
        server.on('error', (err) => resolve({ ok: false, reason: `slot ${slot}'s test socket failed: ${err.message}` }));
        servers.push(server);
        server.listen({ fd: group.duplicate(slot) });
      }
      for (const source of sources) {
        const client = connect({ host, port: group.address.port, localAddress: source });
        client.on('error', (err) => resolve({ ok: false, reason: `a test connection from ${source} failed: ${err.message}` }));
        clients.push(client);
      }
    }).catch((err: Error) => ({ ok: false as const, reason: `the self-test could not run: ${err.message}` }));
    if (!result.ok) return result;
    for (const source of sources) {
      const expected = slotOfAddress(source, options);
      const got = arrived.get(source) ?? arrived.get(`::ffff:${source}`);
      if (got !== expected) {
        return { ok: false, reason: `a connection from ${source} reached slot ${got}, the hash says ${expected}: the kernel does not run the steering program as predicted` };
      }
    }
    return { ok: true };
  } finally {
    clearTimeout(timer);
    for (const c of clients) c.destroy();
    for (const s of servers) s.close();
    group.close();
  }
}
