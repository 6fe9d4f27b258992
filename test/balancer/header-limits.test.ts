// Header mode's limits: slow, oversized, non-HTTP and header-less requests are answered
// and closed, counted in `rejected`, and logged without flooding the log.
import net from 'node:net';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURES, selfSignedCert, rawExchange, request, runToExit, startFixture, waitFor, type Fixture,
} from '../helpers/proxy-harness.js';

const HEADER_TIMEOUT_MS = 400;
let app: Fixture;

beforeAll(async () => {
  app = await startFixture('routing-server.js', {
    STICKY_ROUTING: JSON.stringify({ by: 'header', headerTimeoutMs: HEADER_TIMEOUT_MS, maxHeaderBytes: 1024 }),
  });
});
afterAll(async () => { await app?.stop(); });

const text = (b: Buffer): string => b.toString('latin1');

describe('header mode limits', () => {
  it('answers 408 and closes when the head does not end within headerTimeoutMs', async () => {
    const before = (await app.status()).rejected;
    const started = Date.now();
    const reply = await rawExchange(app.port, [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n')], { keepOpen: true });
    expect(text(reply)).toMatch(/^HTTP\/1\.1 408 /);
    expect(Date.now() - started).toBeGreaterThanOrEqual(HEADER_TIMEOUT_MS - 50);
    expect((await app.status()).rejected).toBe(before + 1);
  });

  it('answers 408 to a client that connects and sends nothing', async () => {
    expect(text(await rawExchange(app.port, [], { keepOpen: true }))).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers 431 to a head over maxHeaderBytes, even while the client keeps sending', async () => {
    const big = Buffer.from(`GET / HTTP/1.1\r\nCookie: ${'c'.repeat(4096)}\r\n\r\n`);
    expect(text(await rawExchange(app.port, [big]))).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('answers 400 to bytes that are not HTTP', async () => {
    expect(text(await rawExchange(app.port, [Buffer.from('\x00\x01\x02garbage')], { keepOpen: true }))).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('answers 400 to a request without the header', async () => {
    const reply = await rawExchange(app.port, [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')], { keepOpen: true });
    expect(text(reply)).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('logs rejections rate-limited, not one line each', async () => {
    await Promise.all(Array.from({ length: 50 }, () => rawExchange(app.port, [Buffer.from('nope\r\n')], { keepOpen: true })));
    expect(app.stderr().match(/closed a connection/g)?.length ?? 0).toBeLessThanOrEqual(2);
  });

  it('still serves good requests', async () => {
    const r = await request(app.port, { headers: { 'x-forwarded-for': '192.0.2.1' } });
    expect(r.status).toBe(200);
  });
});

describe('header mode options', () => {
  it('routes a request without the header by its peer with ignoreMissingHeader', async () => {
    const fx = await startFixture('routing-server.js', {
      STICKY_ROUTING: JSON.stringify({ by: 'header', header: 'X-Real-IP', ignoreMissingHeader: true }),
    });
    try {
      const pids = new Set<number>();
      for (let i = 0; i < 5; i++) pids.add((await request(fx.port, { localAddress: '127.0.0.9' })).json().pid);
      expect(pids.size).toBe(1);
      expect((await request(fx.port, { headers: { 'x-real-ip': '203.0.113.1' } })).status).toBe(200);
    } finally {
      await fx.stop();
    }
  });

  it('logs why a request without the header was closed', async () => {
    const fx = await startFixture('routing-server.js', { STICKY_ROUTING: JSON.stringify({ by: 'header', header: 'X-Client' }) });
    try {
      const reply = await rawExchange(fx.port, [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')], { keepOpen: true });
      expect(text(reply)).toMatch(/^HTTP\/1\.1 400 /);
      await waitFor(() => /closed a connection: request has no x-client header \(set ignoreMissingHeader/.test(fx.stderr()), 5000, 'the log line');
      expect((await fx.status()).rejected).toBe(1);
    } finally {
      await fx.stop();
    }
  });

  it('closes new connections at once beyond maxPending, then recovers', async () => {
    const fx = await startFixture('routing-server.js', {
      STICKY_ROUTING: JSON.stringify({ by: 'header', maxPending: 5, headerTimeoutMs: 5000 }),
    });
    const idle: net.Socket[] = [];
    try {
      // Each from its own address: one peer may hold only a share of maxPending (the per-peer cap).
      for (let i = 0; i < 5; i++) {
        const s = net.connect({ port: fx.port, host: '127.0.0.1', localAddress: `127.0.0.${10 + i}` });
        s.on('error', () => {});
        idle.push(s);
        s.write('GET / HTTP/1.1\r\n');
      }
      await waitFor(async () => (await fx.status()).pending === 5, 5000, '5 pending connections');
      const started = Date.now();
      const reply = await rawExchange(fx.port, [], { keepOpen: true }).catch(() => Buffer.alloc(0));
      expect(reply.length).toBe(0);
      expect(Date.now() - started).toBeLessThan(2000);
      expect((await fx.status()).rejected).toBe(1);
      for (const s of idle) s.destroy();
      await waitFor(async () => (await fx.status()).pending === 0, 5000, 'pending back to 0');
      expect((await request(fx.port, { headers: { 'x-forwarded-for': '192.0.2.2' } })).status).toBe(200);
    } finally {
      for (const s of idle) s.destroy();
      await fx.stop();
    }
  });

  it('refuses a TLS server with header mode at config time, naming ip and proxy-protocol', async () => {
    const { key, cert, dir } = selfSignedCert();
    try {
      // The legacy API with an https server instance: sticky() throws in the primary.
      const legacy = await runToExit(['-e', `
        const fs = require('fs');
        const sticky = require(${JSON.stringify(path.resolve(FIXTURES, '../../dist/index.js'))});
        const server = require('https').createServer({ key: fs.readFileSync(${JSON.stringify(key)}), cert: fs.readFileSync(${JSON.stringify(cert)}) });
        try { sticky({ proxy: true, num: 1 }, server); } catch (e) { console.error(e.code + ': ' + e.message); process.exit(2); }
      `]);
      expect(legacy.code).toBe(2);
      expect(legacy.stderr).toMatch(/STICKY_CONFIG: .*TLS.*use "ip" or "proxy-protocol"/);
      // A factory's server is only known in the worker: it refuses to start with the same message.
      const fx = runToExit([path.join(FIXTURES, 'routing-server.js')], {
        STICKY_ROUTING: JSON.stringify({ by: 'header' }), STICKY_WORKERS: '1', STICKY_TLS_KEY: key, STICKY_TLS_CERT: cert,
        STICKY_EXIT_ON_WORKER_FAILURE: '1',
      });
      expect((await fx).stderr).toMatch(/StickyConfigError: .*use "ip" or "proxy-protocol"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad routing options with one line per problem naming the key', async () => {
    const r = await runToExit([path.join(FIXTURES, 'routing-server.js')], {
      STICKY_ROUTING: JSON.stringify({ by: 'header', trustedHops: 0, header: 'bad header', maxHeaderBytes: 10 }),
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/routing\.trustedHops: 0 is not an integer from 1 to 64/);
    expect(r.stderr).toMatch(/routing\.header: "bad header" is not an HTTP header name/);
    expect(r.stderr).toMatch(/routing\.maxHeaderBytes: 10 /);
    const mode = await runToExit([path.join(FIXTURES, 'routing-server.js')], { STICKY_ROUTING: '{"by":"hedaer"}' });
    expect(mode.stderr).toMatch(/routing\.by: "hedaer" is not one of ip, header, proxy-protocol/);
  });
});
