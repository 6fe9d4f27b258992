// Clients that try to stall or bloat the primary in header mode: slowloris heads, floods of
// garbage, oversized heads, TLS spoken to a plaintext port. Normal traffic keeps flowing,
// and afterwards the primary is the same process with its descriptors and memory back.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, fdCount, rawExchange, request, rssBytes, startFixture, waitFor, type Fixture } from '../helpers/proxy-harness.js';

const HEADER_TIMEOUT_MS = 1500;
const SLOWLORIS = 500;
const GARBAGE = 10_000;
const GARBAGE_CONCURRENCY = 200;

let app: Fixture;
let baselineFds: number;
let baselineRss: number;
let baselineHeap: number;

beforeAll(async () => {
  app = await startFixture('routing-server.js', {
    STICKY_ROUTING: JSON.stringify({ by: 'header', headerTimeoutMs: HEADER_TIMEOUT_MS }),
  }, 15_000, ['--expose-gc']);
  // One round of the same attack first: the primary's memory grows once to its working size
  // under such a burst (malloc keeps arenas for the 64 KiB read buffers; V8 keeps a grown young
  // generation until ~15 s idle, which gcStatus() shrinks at once on Node 22+). A leak grows
  // again in the second round; the baseline and the final reading both follow a full GC.
  for (let i = 0; i < 20; i++) await request(app.port, { headers: { 'x-forwarded-for': `192.0.2.${i}` } });
  await slowloris(SLOWLORIS);
  await sendGarbage(GARBAGE);
  await waitFor(async () => (await app.status()).pending === 0, 10_000, 'warm-up connections gone');
  baselineFds = fdCount(app.pid);
  const b = await app.gcStatus();
  baselineHeap = b.heapUsed;
  baselineRss = rssBytes(app.pid);
});
afterAll(async () => { await app?.stop(); });

/**
 * Opens `count` connections that send a request line, then a header byte every 200 ms (never
 * idle, never done), and resolves once the primary closed them all, with when each closed
 * and what each was answered.
 */
async function slowloris(count: number, whileWaiting: () => Promise<void> = async () => {}): Promise<{ closedAt: number[]; answers: string[] }> {
  const started = Date.now();
  const closedAt: number[] = [];
  const answers: string[] = [];
  const drips: NodeJS.Timeout[] = [];
  const sockets = Array.from({ length: count }, (_, i) => {
    const s = net.connect({ port: app.port, host: '127.0.0.1', localAddress: `127.0.${1 + (i % 3)}.${10 + (i % 200)}` });
    s.on('error', () => {});
    s.on('data', (d: Buffer) => answers.push(d.toString('latin1', 0, 12)));
    s.on('close', () => closedAt.push(Date.now() - started));
    s.write('GET / HTTP/1.1\r\n');
    drips.push(setInterval(() => s.writable && s.write('X'), 200));
    return s;
  });
  try {
    await waitFor(async () => (await app.status()).pending >= count * 0.9, 10_000, 'slowloris connections pending');
    await whileWaiting();
    await waitFor(() => closedAt.length === count, HEADER_TIMEOUT_MS + 10_000, 'every slowloris connection closed');
    return { closedAt, answers };
  } finally {
    for (const d of drips) clearInterval(d);
    for (const s of sockets) s.destroy();
  }
}

/** Opens `count` connections (GARBAGE_CONCURRENCY at a time) that send random non-HTTP bytes; returns how many read a 400. */
async function sendGarbage(count: number): Promise<number> {
  let next = 0;
  let answered400 = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const junk = randomBytes(1 + (i % 512));
      junk[0] = 0x80 | junk[0]!; // never a token byte: not HTTP from the first byte
      const reply = await rawExchange(app.port, [junk], { keepOpen: true }).catch(() => Buffer.alloc(0));
      if (reply.toString('latin1', 0, 12) === 'HTTP/1.1 400') answered400++;
    }
  };
  await Promise.all(Array.from({ length: GARBAGE_CONCURRENCY }, worker));
  return answered400;
}

describe('hostile input in header mode', () => {
  it(`closes ${SLOWLORIS} slowloris connections at the timeout while serving normal traffic`, async () => {
    const { closedAt, answers } = await slowloris(SLOWLORIS, async () => {
      for (let i = 0; i < 20; i++) {
        const r = await request(app.port, { headers: { 'x-forwarded-for': `198.51.100.${i}` }, localAddress: '127.0.0.5' });
        expect(r.status).toBe(200);
      }
    });
    expect(Math.min(...closedAt)).toBeGreaterThanOrEqual(HEADER_TIMEOUT_MS - 100);
    expect(answers.filter((a) => a.startsWith('HTTP/1.1 408')).length).toBeGreaterThanOrEqual(SLOWLORIS * 0.95);
  });

  it(`answers ${GARBAGE} garbage connections with 400 and closes them`, async () => {
    const before = (await app.status()).rejected;
    const answered400 = await sendGarbage(GARBAGE);
    // A reset may beat the answer when the client is still sending; most read their 400.
    expect(answered400).toBeGreaterThan(GARBAGE * 0.9);
    await waitFor(async () => (await app.status()).rejected - before === GARBAGE, 5000, 'every garbage connection counted');
  });

  it('answers 431 to oversized heads streamed without end', async () => {
    const replies = await Promise.all(Array.from({ length: 10 }, () => {
      const pieces = [Buffer.from('GET / HTTP/1.1\r\n')];
      for (let i = 0; i < 64; i++) pieces.push(Buffer.from(`X-Pad-${i}: ${'p'.repeat(1000)}\r\n`));
      return rawExchange(app.port, pieces, { keepOpen: true }).catch(() => Buffer.alloc(0));
    }));
    expect(replies.filter((r) => r.toString('latin1').startsWith('HTTP/1.1 431')).length).toBeGreaterThanOrEqual(8);
  });

  it('turns away a TLS ClientHello on the plaintext header-mode port', async () => {
    const before = (await app.status()).rejected;
    const err = await new Promise<Error>((resolve) => {
      const s = tls.connect({ port: app.port, host: '127.0.0.1', rejectUnauthorized: false });
      s.on('secureConnect', () => resolve(new Error('handshake succeeded')));
      s.on('error', resolve);
    });
    expect(err.message).not.toBe('handshake succeeded');
    await waitFor(async () => (await app.status()).rejected === before + 1, 5000, 'the TLS connection counted');
  });

  it('leaves the primary as it was: same pid, descriptors back to baseline, RSS grown < 20 MiB', async () => {
    const status = await app.status();
    expect(status.pid).toBe(app.pid);
    expect(isAlive(app.pid)).toBe(true);
    await waitFor(async () => (await app.status()).pending === 0, 10_000, 'no pending connection');
    await waitFor(() => fdCount(app.pid) <= baselineFds, 10_000, `fd count back to ${baselineFds} (now ${fdCount(app.pid)})`);
    // Live objects after a full collection: a leak of a few hundred bytes per connection shows here.
    const after = await app.gcStatus();
    expect(after.heapUsed - baselineHeap).toBeLessThan(4 * 1024 * 1024);
    expect(rssBytes(app.pid) - baselineRss).toBeLessThan(20 * 1024 * 1024);
    expect((await request(app.port, { headers: { 'x-forwarded-for': '192.0.2.1' } })).status).toBe(200);
  });
});
