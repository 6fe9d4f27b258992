// HAProxy in front (templates/haproxy.cfg) with send-proxy-v2 to an https app in
// proxy-protocol mode, both as a TCP pass-through (mode tcp) and as an HTTP proxy that
// re-encrypts (mode http): clients keep their worker through polling and the websocket
// upgrade, and the app sees each client's own address.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert, startFixture, type Fixture } from '../helpers/proxy-harness.js';
import { runSocketIoClients, startHaproxy, type ClientResult, type Front } from '../helpers/front-proxies.js';

const CLIENTS = 30;
let app: Fixture;
let haproxy: Front & { tcpPort: number; httpPort: number };
let certDir: string;

beforeAll(async () => {
  const { key, cert, dir } = selfSignedCert();
  certDir = dir;
  app = await startFixture('routing-server.js', {
    STICKY_ROUTING: '{"by":"proxy-protocol"}', STICKY_TLS_KEY: key, STICKY_TLS_CERT: cert,
  });
  haproxy = await startHaproxy(app.port);
});
afterAll(async () => {
  await haproxy?.stop();
  await app?.stop();
  rmSync(certDir, { recursive: true, force: true });
});

function expectSticky(results: ClientResult[]): void {
  expect(results.filter((r) => r.error)).toEqual([]);
  for (const r of results) {
    expect(r.transport).toBe('websocket');
    expect(r.pingPid).toBe(r.helloPid);
    expect(r.handshakeAddress).toBe(r.localAddress);
  }
  expect(new Set(results.map((r) => r.helloPid)).size).toBeGreaterThanOrEqual(2);
}

describe('HAProxy in front, proxy-protocol mode, https app', () => {
  it(`mode tcp: ${CLIENTS} https socket.io clients keep their worker and their address`, async () => {
    const results = await runSocketIoClients(`https://127.0.0.1:${haproxy.tcpPort}`, CLIENTS);
    expectSticky(results);
    const again = await runSocketIoClients(`https://127.0.0.1:${haproxy.tcpPort}`, CLIENTS);
    expect(again.map((r) => r.helloPid)).toEqual(results.map((r) => r.helloPid));
  });

  it(`mode http: ${CLIENTS} socket.io clients keep their worker and their address`, async () => {
    const results = await runSocketIoClients(`http://127.0.0.1:${haproxy.httpPort}`, CLIENTS);
    expectSticky(results);
    expect((await app.status()).rejected).toBe(0);
  });
});
