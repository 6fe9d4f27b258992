// routing.trustedProxies: only listed peers name the client. A PROXY preamble from any other
// peer chose its own remoteAddress (and so its worker) before; a header from one picked its
// worker and was counted as misrouted by the worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey, Rendezvous } from '../../src/routing/hash.js';
import { parseResponses, rawExchange, request, startFixture, waitFor, type AppReply, type Fixture } from '../helpers/proxy-harness.js';

const WORKERS = 2;
const TRUSTED = '127.0.0.2';
const UNTRUSTED = '127.0.0.3';

let proxyApp: Fixture;
let headerApp: Fixture;
let dualStackApp: Fixture;

const fixture = (routing: object, env: Record<string, string> = {}): Promise<Fixture> =>
  startFixture('routing-server.js', { STICKY_ROUTING: JSON.stringify(routing), STICKY_WORKERS: String(WORKERS), ...env });

beforeAll(async () => {
  [proxyApp, headerApp, dualStackApp] = await Promise.all([
    fixture({ by: 'proxy-protocol', trustedProxies: [TRUSTED] }),
    fixture({ by: 'header', trustedProxies: [TRUSTED] }),
    // Listening on :: makes IPv4 clients appear as ::ffff:127.0.0.x.
    fixture({ by: 'header', trustedProxies: ['127.0.0.0/30'] }, { STICKY_HOST: '::' }),
  ]);
});
afterAll(async () => {
  await Promise.all([proxyApp?.stop(), headerApp?.stop(), dualStackApp?.stop()]);
});

const slotOf = (key: string): number => new Rendezvous(WORKERS, 0).pick(hashKey(key, 0), () => true);
/** A client address whose slot differs from `other`'s, so routing by the one or the other shows. */
const addressOffSlot = (other: string): string => {
  for (let i = 1; ; i++) if (slotOf(`198.51.100.${i}`) !== slotOf(other)) return `198.51.100.${i}`;
};

const GET = 'GET /trust HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
const v1 = (src: string): Buffer => Buffer.from(`PROXY TCP4 ${src} 10.0.0.1 4242 80\r\n${GET}`);

describe('trusted proxies, PROXY protocol mode', () => {
  it('closes a preamble from an untrusted peer unanswered and counts it rejected', async () => {
    const before = (await proxyApp.status()).rejected;
    const got = await rawExchange(proxyApp.port, [v1('203.0.113.9')], { localAddress: UNTRUSTED, keepOpen: true }).catch(() => Buffer.alloc(0));
    expect(got.length).toBe(0);
    expect((await proxyApp.status()).rejected).toBe(before + 1);
    expect(proxyApp.stderr()).toMatch(/127\.0\.0\.3.*routing\.trustedProxies|routing\.trustedProxies.*127\.0\.0\.3/);
  });

  it('believes the preamble of a trusted peer', async () => {
    const [r] = parseResponses(await rawExchange(proxyApp.port, [v1('203.0.113.9')], { localAddress: TRUSTED }));
    expect(JSON.parse(r!.body)).toMatchObject({ remoteAddress: '203.0.113.9', remotePort: 4242 });
  });
});

describe('trusted proxies, header mode', () => {
  it('routes an untrusted peer by its own address, whatever X-Forwarded-For says', async () => {
    const forged = addressOffSlot(UNTRUSTED);
    const r = await request(headerApp.port, { localAddress: UNTRUSTED, headers: { 'x-forwarded-for': forged } });
    expect(r.status).toBe(200);
    expect(r.json<AppReply>().slot).toBe(slotOf(UNTRUSTED));
  });

  it('routes an untrusted peer without the header by its address (no 400)', async () => {
    const r = await request(headerApp.port, { localAddress: UNTRUSTED });
    expect(r.status).toBe(200);
    expect(r.json<AppReply>().slot).toBe(slotOf(UNTRUSTED));
  });

  it('routes a trusted peer by the header', async () => {
    const client = addressOffSlot(TRUSTED);
    const r = await request(headerApp.port, { localAddress: TRUSTED, headers: { 'x-forwarded-for': client } });
    expect(r.json<AppReply>()).toMatchObject({ slot: slotOf(client), xff: client });
  });

  it('does not count an untrusted peer\'s changing header as misrouted', async () => {
    const before = await headerApp.status();
    const total = (s: typeof before): number => s.workers.reduce((n, w) => n + w.total, 0);
    const a = addressOffSlot(UNTRUSTED);
    const b = addressOffSlot(a);
    const head = (xff: string, last: boolean): string =>
      `GET /m HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ${xff}\r\n${last ? 'Connection: close\r\n' : ''}\r\n`;
    const raw = await rawExchange(headerApp.port, [Buffer.from(head(a, false) + head(b, false) + head(a, true))], { localAddress: UNTRUSTED });
    expect(parseResponses(raw).map((r) => r.status)).toEqual([200, 200, 200]);
    // Counters are reported together: once the closed connection shows, its requests were counted.
    const after = await waitFor(async () => {
      const s = await headerApp.status();
      return total(s) > total(before) && s.workers.every((w) => w.active === 0) && s;
    }, 5000, 'the worker\'s counters after the connection closed');
    expect(after.misrouted).toBe(before.misrouted);
  });
});

describe('trusted proxies, IPv4-mapped peers', () => {
  it('matches a dual-stack socket\'s ::ffff: peer against an IPv4 CIDR', async () => {
    const client = addressOffSlot('127.0.0.2');
    const trusted = await request(dualStackApp.port, { localAddress: '127.0.0.2', headers: { 'x-forwarded-for': client } });
    expect(trusted.json<AppReply>()).toMatchObject({ remoteAddress: '::ffff:127.0.0.2', slot: slotOf(client) });
    const forged = addressOffSlot('127.0.0.5');
    const untrusted = await request(dualStackApp.port, { localAddress: '127.0.0.5', headers: { 'x-forwarded-for': forged } });
    expect(untrusted.json<AppReply>()).toMatchObject({ remoteAddress: '::ffff:127.0.0.5', slot: slotOf('127.0.0.5') });
  });
});
