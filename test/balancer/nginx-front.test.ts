// nginx in front (templates/nginx.conf), routing by X-Forwarded-For: socket.io clients from
// distinct addresses keep their worker through polling and the websocket upgrade. With an
// upstream keep-alive pool, per-connection stickiness cannot hold: the workers detect it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startFixture, waitFor, type Fixture } from '../helpers/proxy-harness.js';
import { runSocketIoClients, startNginx, type Front } from '../helpers/front-proxies.js';

const CLIENTS = 30;
let app: Fixture;

beforeAll(async () => {
  app = await startFixture('legacy-proxy-server.js', { STICKY_OPTIONS: JSON.stringify({ proxy: true, num: 2 }) });
});
afterAll(async () => { await app?.stop(); });

describe('nginx in front, header mode', () => {
  let nginx: (Front & { port: number }) | undefined;
  afterAll(async () => { await nginx?.stop(); });

  it(`keeps ${CLIENTS} socket.io clients on their worker through polling and upgrade`, async () => {
    nginx = await startNginx(app.port);
    const results = await runSocketIoClients(`http://127.0.0.1:${nginx.port}`, CLIENTS);
    expect(results.filter((r) => r.error)).toEqual([]);
    for (const r of results) {
      expect(r.transport).toBe('websocket');
      expect(r.pingPid).toBe(r.helloPid);
    }
    expect(new Set(results.map((r) => r.helloPid)).size).toBeGreaterThanOrEqual(2);
    // The same address lands on the same worker on a new connection, by the header nginx adds.
    const again = await runSocketIoClients(`http://127.0.0.1:${nginx.port}`, CLIENTS);
    expect(again.map((r) => r.helloPid)).toEqual(results.map((r) => r.helloPid));
    expect((await app.status()).misrouted).toBe(0);
  });
});

describe('nginx with an upstream keepalive pool', () => {
  let nginx: (Front & { port: number }) | undefined;
  afterAll(async () => { await nginx?.stop(); });

  it('counts misrouted requests and warns once, naming the cause and the fix', async () => {
    // What a user might add: the pool, and the Connection header it needs to keep connections.
    nginx = await startNginx(app.port, (conf) => conf
      .replace('# keepalive 16;', 'keepalive 16;')
      .replace("''      close;", "''      '';"));
    for (let i = 0; i < 20; i++) {
      const r = await request(nginx.port, { localAddress: `127.0.0.${100 + i}` });
      expect(r.status).toBe(200);
    }
    await waitFor(async () => (await app.status()).misrouted > 0, 5000, 'misrouted requests counted');
    await waitFor(() => /STICKY_MISROUTED/.test(app.stderr()), 5000, 'the misrouting warning');
    expect(app.stderr()).toMatch(/pools upstream keep-alive connections.*Fix: remove `keepalive`/s);
    // Once per worker, not once per request.
    expect(app.stderr().match(/STICKY_MISROUTED/g)!.length).toBeLessThanOrEqual(2);
  });
});
