import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { loopbackAddresses, type Served } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { onlinePids, startSupervisor } from '../helpers/supervisor.js';

/** One GET on `agent` (keep-alive: the connection is reused while the server allows it). */
function getOn(agent: http.Agent, port: number): Promise<Served> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, agent, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(JSON.parse(body) as Served));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

describe('keep-alive clients across reloads', () => {
  afterAll(killAll);

  it('are told Connection: close by the draining worker and move to the new one without a failed request', async () => {
    const sup = await startSupervisor({ workers: 2 });
    const agents = loopbackAddresses(6).map((localAddress) => new http.Agent({ keepAlive: true, maxSockets: 1, localAddress }));
    const last = new Map<http.Agent, Served>();
    const errors: string[] = [];
    let requests = 0;
    let running = true;
    const loops = agents.map(async (agent) => {
      while (running) {
        try {
          last.set(agent, await getOn(agent, sup.port));
          requests++;
        } catch (err) {
          errors.push(String(err));
        }
      }
    });
    try {
      for (let i = 0; i < 3; i++) {
        const before = requests;
        expect((await sup.reload()).reply).toMatchObject({ ok: true });
        expect(requests).toBeGreaterThan(before);
      }
    } finally {
      running = false;
      await Promise.all(loops);
    }
    expect(errors).toEqual([]);
    const pids = onlinePids(await sup.status());
    for (const agent of agents) {
      expect(pids).toContain(last.get(agent)!.pid);
      agent.destroy();
    }
  });
});
