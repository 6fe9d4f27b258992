// Workers bind no port of their own. Under primary accept they hold no listening socket at
// all; under kernel accept each holds exactly one, its slot's socket of the public port, a
// copy of one the primary opened and still holds (DESIGN.md, "Accept path in ip mode").
import { afterAll, describe, expect, it } from 'vitest';
import { KERNEL_FAULT_ENV } from '../../src/balancer/kernel/socket-calls.js';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { descendants, killAll, listeningPorts, socketInodes } from '../helpers/processes.js';
import { startLegacyApp } from '../helpers/legacy-app.js';

const WORKERS = 2;

/** Each process's listening sockets, as inode -> port. */
async function listeningByProcess(env: Record<string, string>): Promise<{ port: number; primary: Map<string, number>; workers: Map<string, number>[] }> {
  const { app, port } = await startLegacyApp({ APP: 'socketio', FORM: 'factory', WORKERS: String(WORKERS), ...env });
  // Serve something first so every worker has run the app's listen() and been given its socket.
  const slots = new Set<string>();
  for (const addr of loopbackAddresses(16)) slots.add((await get(port, addr)).slot);
  expect(slots.size).toBe(WORKERS);
  const workers = descendants(app.pid);
  expect(workers.length).toBe(WORKERS);
  const listening = listeningPorts();
  const held = (pid: number): Map<string, number> => new Map([...socketInodes(pid)].flatMap((i) => (listening.has(i) ? [[i, listening.get(i)!] as const] : [])));
  return { port, primary: held(app.pid), workers: workers.map(held) };
}

describe('workers bind no port of their own', () => {
  afterAll(killAll);

  it('under kernel accept (auto on Linux), each worker holds only its slot socket, one the primary holds too', async () => {
    const { port, primary, workers } = await listeningByProcess({});
    // The primary: one socket per slot, all on the public port.
    expect([...primary.values()]).toEqual(new Array(WORKERS).fill(port));
    const seen = new Set<string>();
    for (const w of workers) {
      expect(w.size).toBe(1);
      const [inode] = [...w.keys()];
      expect(primary.has(inode!)).toBe(true);
      seen.add(inode!);
    }
    // A different slot socket each.
    expect(seen.size).toBe(WORKERS);
  });

  it('under primary accept (koffi unavailable), only the primary holds a listening socket', async () => {
    const { port, primary, workers } = await listeningByProcess({ [KERNEL_FAULT_ENV]: 'no-ffi' });
    expect([...primary.values()]).toEqual([port]);
    for (const w of workers) expect([...w.keys()]).toEqual([]);
  });
});
