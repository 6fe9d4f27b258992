// `sticky scale N` under socket.io polling clients from distinct addresses: growing moves
// only the clients the new slot wins (about 1/N), every other client keeps its session;
// shrinking sends the removed slot's clients back to where they were. 0 failed requests.
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import { get, loopbackAddresses, pollingClient, whoami } from '../helpers/clients.js';
import { ROOT, makeProject, removeProject, runCli, uniqueName } from '../helpers/cli.js';
import { runInstance, type Instance } from '../helpers/sticky-instance.js';
import { waitFor } from '../helpers/wait-for.js';

const CLIENTS = 30;
const name = uniqueName('scale');
const app = path.join(ROOT, 'test', 'fixtures', 'supervisor', 'app.js');
const dir = makeProject('scale', {
  'server.js': `module.exports = require(${JSON.stringify(app)});\n`,
  'sticky.config.json': JSON.stringify({ name, script: './server.js', workers: 2, host: '127.0.0.1', port: 0, reload: { drainTimeoutMs: 2000 } }),
});
let instance: Instance | undefined;
afterAll(async () => {
  await instance?.cleanUp();
  removeProject(dir);
});

interface Tracked {
  addr: string;
  socket: ClientSocket;
  disconnects: number;
}

async function slotsOf(clients: Tracked[]): Promise<Map<string, string>> {
  await waitFor(() => clients.every((c) => c.socket.connected), 20_000, 'every client connected');
  const out = new Map<string, string>();
  for (const c of clients) out.set(c.addr, (await whoami(c.socket)).slot);
  return out;
}

test('scale 2 -> 3 -> 2: only the new slot\'s clients move, and come back', async () => {
  instance = await runInstance({ dir, workers: 2 });
  const url = `http://127.0.0.1:${instance.online.port}`;
  const clients: Tracked[] = loopbackAddresses(CLIENTS, 20).map((addr) => {
    const t: Tracked = { addr, socket: pollingClient(url, addr, { reconnection: true }), disconnects: 0 };
    t.socket.on('disconnect', () => t.disconnects++);
    return t;
  });
  let running = true;
  let httpOk = 0;
  const httpErrors: string[] = [];
  const senders = loopbackAddresses(6).map(async (addr) => {
    while (running) {
      try {
        await get(instance!.online.port, addr);
        httpOk++;
      } catch (err) {
        httpErrors.push(`${addr}: ${String(err)}`);
      }
    }
  });

  try {
    const before = await slotsOf(clients);
    expect(new Set(before.values())).toEqual(new Set(['0', '1']));

    const up = await runCli(['scale', '3'], { cwd: dir, env: instance.env, timeoutMs: 60_000 });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`scaled "${name}" from 2 to 3 workers`);
    expect(up.stdout).toMatch(/slot 2: worker \d+ online/);
    const status3 = await instance.status();
    expect(status3.workers.filter((w) => w.state === 'online').map((w) => w.slot).sort()).toEqual([0, 1, 2]);

    const grown = await waitFor(async () => {
      const slots = await slotsOf(clients);
      // Moved clients reconnect on their own; wait until the new slot has its share.
      return [...slots.values()].includes('2') ? slots : undefined;
    }, 30_000, 'clients on the new slot');
    const moved = clients.filter((c) => grown.get(c.addr) !== before.get(c.addr));
    // Every client that moved went to the new slot, and only about a third moved.
    for (const c of moved) expect(grown.get(c.addr), c.addr).toBe('2');
    expect(moved.length).toBeGreaterThanOrEqual(Math.round(CLIENTS / 3 / 3));
    expect(moved.length).toBeLessThanOrEqual(Math.round((CLIENTS * 2) / 3));
    // Clients that stayed kept their session: not one disconnect.
    for (const c of clients.filter((x) => !moved.includes(x))) expect(c.disconnects, c.addr).toBe(0);
    console.log(`scale 2 -> 3: ${moved.length} of ${CLIENTS} addresses moved (expected about ${Math.round(CLIENTS / 3)})`);

    for (const c of clients) c.disconnects = 0;
    const down = await runCli(['scale', '2'], { cwd: dir, env: instance.env, timeoutMs: 60_000 });
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/scaled "[^"]+" from 3 to 2 workers in \d+ ms\n {2}slot 2: worker \d+ drained and exited/);
    const shrunk = await slotsOf(clients);
    // Each removed slot's client is back on the slot it had before the scale up.
    expect(shrunk).toEqual(before);
    for (const c of clients.filter((x) => !moved.includes(x))) expect(c.disconnects, c.addr).toBe(0);
    const status2 = await runCli(['status', '--json'], { cwd: dir, env: instance.env });
    expect(status2.code).toBe(0);
    expect((JSON.parse(status2.stdout) as { workers: unknown[] }).workers).toHaveLength(2);
  } finally {
    running = false;
    await Promise.all(senders);
    for (const c of clients) c.socket.close();
  }
  expect(httpErrors).toEqual([]);
  expect(httpOk).toBeGreaterThan(20);
}, 180_000);

test('bad counts are usage errors (exit 2); the same count changes nothing (exit 0)', async () => {
  for (const arg of ['0', 'abc', '1.5', '-1']) {
    const result = await runCli(['scale', '--', arg], { cwd: dir, env: instance!.env });
    expect(result.code, arg).toBe(2);
    expect(result.stderr).toContain(`sticky scale: "${arg}" is not a worker count from 1 to 1024`);
  }
  expect((await runCli(['scale'], { cwd: dir, env: instance!.env })).stderr).toContain('sticky scale: expected one worker count');
  const same = await runCli(['scale', '2'], { cwd: dir, env: instance!.env });
  expect(same).toMatchObject({ code: 0 });
  expect(same.stdout).toContain('already runs 2 workers; nothing changed');
}, 30_000);
