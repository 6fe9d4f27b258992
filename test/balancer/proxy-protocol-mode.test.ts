// PROXY protocol mode with raw clients: v1 and v2 preambles route by their source, the
// worker's socket reports that source as its peer, and anything else is closed.
import { rmSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { V2_SIGNATURE } from '../../src/routing/proxy-protocol.js';
import { selfSignedCert, parseResponses, rawExchange, startFixture, type AppReply, type Fixture } from '../helpers/proxy-harness.js';

let app: Fixture;
let tlsApp: Fixture;
let certDir: string;

beforeAll(async () => {
  const { key, cert, dir } = selfSignedCert();
  certDir = dir;
  [app, tlsApp] = await Promise.all([
    startFixture('routing-server.js', { STICKY_ROUTING: '{"by":"proxy-protocol"}' }),
    startFixture('routing-server.js', { STICKY_ROUTING: '{"by":"proxy-protocol"}', STICKY_TLS_KEY: key, STICKY_TLS_CERT: cert }),
  ]);
});
afterAll(async () => {
  await Promise.all([app?.stop(), tlsApp?.stop()]);
  rmSync(certDir, { recursive: true, force: true });
});

const GET = Buffer.from('GET /pp HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
const v1 = (src: string, port: number): Buffer => Buffer.from(`PROXY TCP4 ${src} 10.0.0.1 ${port} 80\r\n`);

function v2tcp6(groups: number[], port: number): Buffer {
  const b = Buffer.alloc(16 + 36);
  V2_SIGNATURE.copy(b);
  b[12] = 0x21;
  b[13] = 0x21;
  b.writeUInt16BE(36, 14);
  groups.forEach((g, i) => b.writeUInt16BE(g, 16 + i * 2));
  b.writeUInt16BE(port, 16 + 32);
  b.writeUInt16BE(443, 16 + 34);
  return b;
}

async function reply(pieces: Buffer[], port = app.port): Promise<AppReply> {
  const [r] = parseResponses(await rawExchange(port, pieces));
  return JSON.parse(r!.body) as AppReply;
}

describe('proxy-protocol mode', () => {
  it('reports a v1 source as the worker socket\'s remote address and port', async () => {
    expect(await reply([Buffer.concat([v1('203.0.113.9', 5555), GET])])).toMatchObject({
      remoteAddress: '203.0.113.9', remotePort: 5555, url: '/pp',
    });
  });

  it('reads a v2 TCP6 preamble sent one byte per write, then the request', async () => {
    const pre = v2tcp6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 9], 4711);
    const got = await reply([...[...pre].map((b) => Buffer.from([b])), GET]);
    expect(got).toMatchObject({ remoteAddress: '2001:db8::9', remotePort: 4711, url: '/pp' });
  });

  it('keeps one source on one worker and spreads sources over the workers', async () => {
    const pidsOf = async (src: string): Promise<Set<number>> => {
      const pids = new Set<number>();
      for (let i = 0; i < 5; i++) pids.add((await reply([Buffer.concat([v1(src, 1000 + i), GET])])).pid);
      return pids;
    };
    const all = new Set<number>();
    for (let i = 1; i <= 12; i++) {
      const pids = await pidsOf(`198.51.100.${i}`);
      expect(pids.size).toBe(1);
      all.add([...pids][0]!);
    }
    expect(all.size).toBe(2);
  });

  it('routes LOCAL (a health check) by the TCP peer', async () => {
    const local = Buffer.concat([V2_SIGNATURE, Buffer.from([0x20, 0x00, 0, 0])]);
    expect(await reply([Buffer.concat([local, GET])])).toMatchObject({ remoteAddress: '127.0.0.1' });
  });

  it.each([
    ['no preamble', GET],
    ['a malformed v1 line', Buffer.concat([Buffer.from('PROXY TCP4 1.2.3.4\r\n'), GET])],
    ['a v2 UDP preamble', Buffer.concat([V2_SIGNATURE, Buffer.from([0x21, 0x12, 0, 12]), Buffer.alloc(12), GET])],
  ])('closes a connection with %s without an answer, counted as rejected', async (_name, bytes) => {
    const before = (await app.status()).rejected;
    expect((await rawExchange(app.port, [bytes], { keepOpen: true }).catch(() => Buffer.alloc(0))).length).toBe(0);
    expect((await app.status()).rejected).toBe(before + 1);
  });

  it('works in front of an https server: the TLS handshake follows the preamble', async () => {
    const raw = net.connect(tlsApp.port, '127.0.0.1');
    await new Promise((r) => raw.once('connect', r));
    raw.write(v1('192.0.2.77', 6060));
    const secure = tls.connect({ socket: raw, servername: 'localhost', rejectUnauthorized: false });
    const chunks: Buffer[] = [];
    secure.on('data', (c: Buffer) => chunks.push(c));
    await new Promise((r) => secure.once('secureConnect', r));
    secure.write(GET);
    await new Promise((r) => secure.once('end', r));
    secure.destroy();
    const [r] = parseResponses(Buffer.concat(chunks));
    expect(JSON.parse(r!.body)).toMatchObject({ remoteAddress: '192.0.2.77', remotePort: 6060 });
  });
});
