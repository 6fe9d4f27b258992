/** Real-kernel helpers for reuseport groups: accept on each slot's socket and ask which slot a source reaches. */
import { Server, connect } from 'node:net';
import { loadSocketCalls, type SocketCalls } from '../../src/balancer/kernel/socket-calls.js';
import type { ReuseportGroup } from '../../src/balancer/kernel/reuseport-group.js';

export function socketCalls(): SocketCalls {
  const loaded = loadSocketCalls();
  if (!loaded.ok) throw new Error(`kernel accept is unavailable here: ${loaded.reason}`);
  return loaded.calls;
}

/** Accepts on slot `slot`'s socket (through a close-on-exec duplicate); every connection is answered with the slot number. */
export function answerSlot(group: ReuseportGroup, slot: number): Promise<Server> {
  const server = new Server((c) => c.end(String(slot)));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ fd: group.duplicate(slot) }, () => resolve(server));
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Connects from `localAddress` and resolves with what the accepting side wrote: its slot. */
export async function slotReached(host: string, port: number, localAddress: string, timeoutMs = 10_000): Promise<number> {
  return Number(await answer(host, port, localAddress, timeoutMs));
}

/** Connects from `localAddress` and resolves with everything the accepting side wrote. */
export function answer(host: string, port: number, localAddress: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect({ host, port, localAddress });
    let data = '';
    const timer = setTimeout(() => { c.destroy(); reject(new Error(`no answer for ${localAddress} in ${timeoutMs} ms`)); }, timeoutMs);
    c.setEncoding('utf8').on('data', (d: string) => { data += d; });
    c.on('end', () => { clearTimeout(timer); resolve(data); });
    c.on('error', (err) => { clearTimeout(timer); reject(err); });
  });
}
