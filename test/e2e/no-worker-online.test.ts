// After a good start, every worker dies and cannot come back: new connections are closed at
// once (a front balancer fails over) instead of hanging, `sticky status` exits 3 with its
// JSON, and the log says what happens to clients as things are, not "served by the other
// slots". Once a worker is back, connections are served again and status exits 0.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import type { StatusSnapshot } from '../../src/control/protocol.js';
import { get } from '../helpers/clients.js';
import { makeProject, removeProject, runCli, uniqueName } from '../helpers/cli.js';
import { runInstance, type Instance } from '../helpers/sticky-instance.js';
import { tryKill } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait-for.js';

const name = uniqueName('noworker');
const dir = makeProject('no-worker', {
  // Throws at load while the file "down" exists beside it.
  'server.js': `
    const fs = require('node:fs');
    const http = require('node:http');
    if (fs.existsSync(__dirname + '/down')) throw new Error('the database is down');
    module.exports = () => http.createServer((req, res) => res.end(JSON.stringify({ pid: process.pid, slot: process.env.STICKY_WORKER_SLOT })));
  `,
  'sticky.config.json': JSON.stringify({ name, script: './server.js', workers: 2, host: '127.0.0.1', port: 0, restart: { minUptimeMs: 100, maxBackoffMs: 1000 } }),
});
const down = path.join(dir, 'down');
let instance: Instance | undefined;
afterAll(async () => {
  await instance?.cleanUp();
  removeProject(dir);
});

/** Connects and resolves how the connection ended, and after how long. */
function connectAndWait(port: number): Promise<{ ms: number; bytes: number; how: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let bytes = 0;
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.9' });
    socket.on('data', (d) => (bytes += d.length));
    socket.on('error', () => undefined);
    socket.on('close', (hadError) => resolve({ ms: Date.now() - started, bytes, how: hadError ? 'reset' : 'closed' }));
    socket.setTimeout(10_000, () => {
      resolve({ ms: Date.now() - started, bytes, how: 'still open after 10 s' });
      socket.destroy();
    });
  });
}

async function statusCli(): Promise<{ code: number | null; snapshot: StatusSnapshot }> {
  const result = await runCli(['status', '--json'], { cwd: dir, env: instance!.env });
  return { code: result.code, snapshot: JSON.parse(result.stdout) as StatusSnapshot };
}

test('no worker online: connections closed at once, status exits 3; back: served, exit 0', async () => {
  instance = await runInstance({ dir, workers: 2 });
  expect((await statusCli()).code).toBe(0);

  writeFileSync(down, '');
  for (const w of instance.online.workers) tryKill(w.pid, 'SIGKILL');
  const degraded = await waitFor(async () => {
    const s = await statusCli();
    return s.snapshot.workers.every((w) => w.state === 'errored') ? s : undefined;
  }, 20_000, 'both slots errored');
  expect(degraded.code).toBe(3);
  expect(degraded.snapshot.name).toBe(name);

  const ended = await connectAndWait(instance.online.port);
  expect(ended.how).not.toBe('still open after 10 s');
  expect(ended.bytes).toBe(0);
  expect(ended.ms).toBeLessThan(2000);
  const after = await statusCli();
  expect(after.snapshot.workers.filter((w) => w.state === 'online')).toEqual([]);
  expect(after.snapshot.connections.rejected).toBeGreaterThanOrEqual(1);
  const events = after.snapshot.events!;
  expect(events.map((e) => e.message).join('\n')).toContain('closed a connection: no worker is online');
  // The first kill may still leave the other slot online; once both are errored, none is.
  const errored = events.filter((e) => e.kind === 'worker-errored').map((e) => e.message);
  expect(errored.length).toBeGreaterThanOrEqual(2);
  for (const message of errored) {
    expect(message).toContain('(no worker is online: new connections are closed at once until one is)');
    expect(message).not.toContain('served by the other');
  }

  rmSync(down);
  expect(existsSync(down)).toBe(false);
  await waitFor(async () => (await statusCli()).code === 0, 20_000, 'both slots online again');
  expect((await get(instance.online.port, '127.0.0.9')).pid).toEqual(expect.any(Number));
}, 90_000);
