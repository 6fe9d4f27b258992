// Slowloris from one address against header and PROXY modes: its un-routed connections used
// to fill the whole maxPending, and every other client was then closed at once. Each peer now
// holds at most a share (a quarter) of maxPending; past it its new connections are rejected.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResponses, rawExchange, request, startFixture, waitFor, type Fixture } from '../helpers/proxy-harness.js';

const MAX_PENDING = 40;
const PER_PEER = MAX_PENDING / 4;
const ATTACK = 50;
const ATTACKER = '127.0.0.5';
const CLIENT = '127.0.0.6';

let headerApp: Fixture;
let proxyApp: Fixture;

beforeAll(async () => {
  [headerApp, proxyApp] = await Promise.all([
    startFixture('routing-server.js', { STICKY_ROUTING: JSON.stringify({ by: 'header', maxPending: MAX_PENDING, headerTimeoutMs: 60_000, ignoreMissingHeader: true }) }),
    startFixture('routing-server.js', { STICKY_ROUTING: JSON.stringify({ by: 'proxy-protocol', maxPending: MAX_PENDING }) }),
  ]);
});
afterAll(async () => { await Promise.all([headerApp?.stop(), proxyApp?.stop()]); });

/** Opens ATTACK connections from one address that each send a first fragment and then nothing. */
async function slowloris(app: Fixture, fragment: string): Promise<net.Socket[]> {
  const before = (await app.status()).rejected;
  const sockets = Array.from({ length: ATTACK }, () => {
    const s = net.connect({ host: '127.0.0.1', port: app.port, localAddress: ATTACKER });
    s.on('error', () => {});
    s.write(fragment);
    return s;
  });
  // Every attacking connection is either held un-routed or was rejected.
  await waitFor(async () => {
    const s = await app.status();
    return s.pending + s.rejected - before === ATTACK;
  }, 10_000, 'every slowloris connection held or rejected');
  return sockets;
}

describe('per-peer cap on un-routed connections', () => {
  it('header mode: one address holds a quarter of maxPending, another address is served', async () => {
    const before = (await headerApp.status()).rejected;
    const sockets = await slowloris(headerApp, 'GET / HTTP/1.1\r\nHost: x\r\n');
    try {
      const s = await headerApp.status();
      expect(s.pending).toBe(PER_PEER);
      expect(s.rejected - before).toBe(ATTACK - PER_PEER);
      expect(headerApp.stderr()).toMatch(/perPeer/);
      const r = await request(headerApp.port, { localAddress: CLIENT, headers: { 'x-forwarded-for': '192.0.2.1' } });
      expect(r.status).toBe(200);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });

  it('PROXY mode: the same', async () => {
    const before = (await proxyApp.status()).rejected;
    const sockets = await slowloris(proxyApp, 'PROXY TCP4 ');
    try {
      const s = await proxyApp.status();
      expect(s.pending).toBe(PER_PEER);
      expect(s.rejected - before).toBe(ATTACK - PER_PEER);
      const get = Buffer.from('PROXY TCP4 192.0.2.1 10.0.0.1 1111 80\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const [r] = parseResponses(await rawExchange(proxyApp.port, [get], { localAddress: CLIENT }));
      expect(r!.status).toBe(200);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
});
