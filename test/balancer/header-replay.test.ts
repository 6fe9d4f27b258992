// Regression tests for the original `proxy: true`: every byte the primary reads before
// routing reaches the worker byte-exact (it replayed only the first packet, as a string,
// and dropped what was left in the primary's stream buffer at hand-off).
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResponses, rawExchange, request, startFixture, waitFor, type AppReply, type Fixture } from '../helpers/proxy-harness.js';

let app: Fixture;

beforeAll(async () => {
  app = await startFixture('legacy-proxy-server.js', { STICKY_OPTIONS: JSON.stringify({ proxy: true, num: 2 }) });
});
afterAll(async () => { await app?.stop(); });

const head = (lines: string[]): Buffer => Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');

describe('header mode hand-off', () => {
  it('delivers a 5 MiB binary upload behind the head byte-exact', async () => {
    const body = randomBytes(5 * 1024 * 1024);
    // Split so the head and the first body bytes share a segment, as curl and browsers send them.
    const first = Buffer.concat([
      head(['POST /upload HTTP/1.1', 'Host: x', 'X-Forwarded-For: 198.51.100.7', `Content-Length: ${body.length}`, 'Connection: close']),
      body.subarray(0, 1000),
    ]);
    const pieces = [first];
    for (let i = 1000; i < body.length; i += 64 * 1024) pieces.push(body.subarray(i, Math.min(body.length, i + 64 * 1024)));
    const [reply] = parseResponses(await rawExchange(app.port, pieces, { timeoutMs: 20_000 }));
    const got = JSON.parse(reply!.body) as AppReply;
    expect(got.bytes).toBe(body.length);
    expect(got.sha256).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it('reassembles a head sent one byte per write', async () => {
    const bytes = head(['GET /one-byte HTTP/1.1', 'Host: x', 'x-forwarded-for: 203.0.113.5', 'Connection: close']);
    const pieces = [...bytes].map((b) => Buffer.from([b]));
    const [reply] = parseResponses(await rawExchange(app.port, pieces));
    expect(reply!.status).toBe(200);
    expect(JSON.parse(reply!.body)).toMatchObject({ url: '/one-byte', xff: '203.0.113.5' });
  });

  it('replays pipelined requests in order from one write', async () => {
    const reqs = [1, 2, 3, 4, 5].map((i) =>
      head([`GET /p${i} HTTP/1.1`, 'Host: x', 'X-Forwarded-For: 192.0.2.44', ...(i === 5 ? ['Connection: close'] : [])]));
    const replies = parseResponses(await rawExchange(app.port, [Buffer.concat(reqs)]));
    expect(replies.map((r) => (JSON.parse(r.body) as AppReply).url)).toEqual(['/p1', '/p2', '/p3', '/p4', '/p5']);
    expect(new Set(replies.map((r) => (JSON.parse(r.body) as AppReply).pid)).size).toBe(1);
  });

  it('routes by the header line only, never by the name in the URL or the body', async () => {
    // Find two client addresses that land on different workers, so a wrong read would show.
    const byAddr = new Map<string, number>();
    for (let i = 1; i <= 40 && new Set(byAddr.values()).size < 2; i++) {
      const addr = `10.0.0.${i}`;
      byAddr.set(addr, (await request(app.port, { headers: { 'x-forwarded-for': addr } })).json().pid);
    }
    const [a, b] = [...byAddr.entries()].reduce<[string, number][]>((acc, e) =>
      acc.length === 0 || acc[0]![1] !== e[1] ? [...acc, e] : acc, []).map((e) => e[0]);
    expect(b).toBeDefined();
    const bait = `x-forwarded-for: ${b}\r\n`;
    for (let i = 0; i < 5; i++) {
      const inUrl = await request(app.port, { path: `/?x-forwarded-for:${b}`, headers: { 'x-forwarded-for': a! } });
      expect(inUrl.json().pid).toBe(byAddr.get(a!));
      const inBody = await request(app.port, {
        method: 'POST', headers: { 'x-forwarded-for': a!, 'x-original-x-forwarded-for': b! }, body: Buffer.from(bait),
      });
      expect(inBody.json().pid).toBe(byAddr.get(a!));
      expect(inBody.json().bytes).toBe(bait.length);
    }
  });

  it('routes a list "spoofed, real" by the real (rightmost) entry', async () => {
    const real = (await request(app.port, { headers: { 'x-forwarded-for': '192.0.2.200' } })).json().pid;
    for (let i = 0; i < 20; i++) {
      const r = await request(app.port, { headers: { 'x-forwarded-for': `6.6.6.${i}, 192.0.2.200` } });
      expect(r.json().pid).toBe(real);
    }
  });

  it('keeps each client address on one worker and uses both workers', async () => {
    const pids = new Map<string, Set<number>>();
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 20 }, async (_, i) => {
        const addr = `172.16.0.${i + 1}`;
        const r = await request(app.port, { headers: { 'x-forwarded-for': addr } });
        (pids.get(addr) ?? pids.set(addr, new Set()).get(addr)!).add(r.json().pid);
      }));
    }
    for (const set of pids.values()) expect(set.size).toBe(1);
    expect(new Set([...pids.values()].map((s) => [...s][0])).size).toBe(2);
  });

  it('counts requests whose header names another client than their connection was routed by', async () => {
    const before = (await app.status()).misrouted;
    const reqs = ['192.0.2.1', '192.0.2.2', '192.0.2.1', '192.0.2.3'].map((addr, i) =>
      head([`GET /m${i} HTTP/1.1`, 'Host: x', `X-Forwarded-For: ${addr}`, ...(i === 3 ? ['Connection: close'] : [])]));
    expect(parseResponses(await rawExchange(app.port, [Buffer.concat(reqs)]))).toHaveLength(4);
    await waitFor(async () => (await app.status()).misrouted === before + 2, 5000, 'two misrouted requests');
  });
});
