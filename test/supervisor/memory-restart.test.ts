// restart.maxMemory (PM2's max_memory_restart): a worker whose RSS grows past it is replaced
// by a rolling reload of its slot, logged as kind memory-restart. Drained, not killed: a
// request in flight on it completes.
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll } from '../helpers/processes.js';
import { startSupervisor, writeScript } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

const MB = 1024 * 1024;
const LIMIT_BYTES = 160 * MB;

function request(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, localAddress: '127.0.0.5', timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

describe('restart.maxMemory', () => {
  afterAll(killAll);

  it('replaces a worker over the limit by draining it: its request in flight completes, a new worker takes the slot', async () => {
    // GET /leak?mb=N keeps N MB (touched, so resident); GET /slow?ms=N answers late.
    const script = writeScript('leaky.js', `
      const http = require('node:http');
      const kept = [];
      module.exports = () => http.createServer((req, res) => {
        const leak = /^\\/leak\\?mb=(\\d+)$/.exec(req.url);
        if (leak) kept.push(Buffer.alloc(Number(leak[1]) * 1024 * 1024, 1));
        const slow = /^\\/slow\\?ms=(\\d+)$/.exec(req.url);
        setTimeout(() => res.end(String(process.pid)), slow ? Number(slow[1]) : 0);
      });
    `);
    const sup = await startSupervisor({ script, workers: 1, restart: { maxMemory: LIMIT_BYTES }, reload: { drainTimeoutMs: 20_000 } });
    const first = (await sup.status()).workers[0]!;
    expect(first.rssBytes).toBeLessThan(LIMIT_BYTES);

    const inFlight = request(sup.port, '/slow?ms=6000');
    // The slow request has reached the worker once it counts an active connection.
    await waitFor(async () => (await sup.status()).workers[0]!.active >= 1, 10_000, 'the slow request on the worker');
    expect((await request(sup.port, '/leak?mb=200')).body).toBe(String(first.pid));

    const replaced = await waitFor(async () => {
      const s = await sup.status();
      const online = s.workers.find((w) => w.state === 'online');
      return online && online.pid !== first.pid ? s : undefined;
    }, 30_000, 'a new worker online in slot 0');
    const event = replaced.events!.find((e) => e.kind === 'memory-restart');
    expect(event).toMatchObject({ level: 'warn', slot: 0, pid: first.pid });
    expect(event!.message).toMatch(new RegExp(`^worker ${first.pid} \\(slot 0\\) uses \\d+\\.\\d MiB, over restart.maxMemory 160.0 MiB: replacing it \\(its connections drain\\)$`));
    // Drained, not killed: still there beside its replacement, finishing its request.
    expect(replaced.workers.find((w) => w.pid === first.pid)?.state).toBe('draining');

    expect(await inFlight).toEqual({ status: 200, body: String(first.pid) });
    const after = await waitFor(async () => {
      const s = await sup.status();
      return s.workers.length === 1 ? s : undefined;
    }, 20_000, 'the old worker gone');
    expect(after.events!.map((e) => e.message)).toContain(`worker ${first.pid} (slot 0) exited after draining`);
    expect(after.events!.some((e) => e.kind === 'worker-crash')).toBe(false);
    expect((await request(sup.port, '/')).body).toBe(String(after.workers[0]!.pid));
  }, 90_000);
});
