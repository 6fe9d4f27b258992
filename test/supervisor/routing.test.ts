import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import type { Served } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { startSupervisor } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

function request(port: number, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, localAddress: '127.0.0.2', agent: false, headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

describe('config.routing under the supervisor', () => {
  afterAll(killAll);

  it('routes by the configured header, and reports the connections it rejects in status and events', async () => {
    const sup = await startSupervisor({
      workers: 2,
      routing: {
        by: 'header', header: 'x-forwarded-for', trustedHops: 1, ignoreMissingHeader: false,
        headerTimeoutMs: 10_000, maxHeaderBytes: 16_384, seed: 0, ipv4Prefix: 32, ipv6Prefix: 128, maxPending: 10_000,
      },
    });
    // One source address, many client addresses in the header: stickiness follows the header.
    const slotOf = new Map<string, string>();
    for (let i = 1; i <= 20; i++) {
      const client = `198.51.100.${i}`;
      for (let n = 0; n < 2; n++) {
        const { status, body } = await request(sup.port, { 'x-forwarded-for': client });
        expect(status).toBe(200);
        const slot = (JSON.parse(body) as Served).slot;
        expect(slotOf.get(client) ?? slot).toBe(slot);
        slotOf.set(client, slot);
      }
    }
    expect(new Set(slotOf.values()).size).toBe(2);

    expect((await request(sup.port, {})).status).toBe(400);
    const status = await waitFor(async () => {
      const s = await sup.status();
      return s.connections.rejected === 1 ? s : null;
    }, 5000, 'the rejection to be counted');
    expect(status.routing).toBe('header');
    expect(status.events!.find((e) => e.kind === 'connection-rejected')?.message).toMatch(/^closed a connection: /);
  });
});
