import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { descendants, killAll, listeningInodes, socketInodes, type Started } from '../helpers/processes.js';
import { startLegacyApp } from '../helpers/legacy-app.js';


describe('workers bind no port of their own', () => {
  let app: Started;
  let port: number;

  beforeAll(async () => {
    ({ app, port } = await startLegacyApp({ APP: 'socketio', FORM: 'factory', WORKERS: '2' }));
  });
  afterAll(killAll);

  it('only the primary holds a listening socket', async () => {
    // Serve something first so both workers have run the app's listen().
    const pids = new Set<number>();
    for (const addr of loopbackAddresses(10)) pids.add((await get(port, addr)).pid);
    const workers = descendants(app.pid);
    expect(workers.length).toBe(2);
    const listening = listeningInodes();
    for (const pid of workers) {
      const held = [...socketInodes(pid)].filter((i) => listening.has(i));
      expect([pid, held]).toEqual([pid, []]);
    }
    expect([...socketInodes(app.pid)].filter((i) => listening.has(i)).length).toBe(1);
  });
});
