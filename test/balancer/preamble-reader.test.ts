import { once } from 'node:events';
import { connect, Server, Socket, type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  headerDecoders, isReadableHandle, PreambleReaders, proxyProtocolDecoder,
  type Decision, type PreambleDecoder, type PreambleReaderOptions, type ReadableHandle,
} from '../../src/balancer/preamble-reader.js';
import { READ_CAP } from '../../src/balancer/bounded-read.js';
import type { Connection } from '../../src/ipc/handoff.js';
import { waitFor } from '../helpers/wait-for.js';

type Route = Extract<Decision, { kind: 'route' }>;

/** A decoder that answers `more` until it has seen `after` bytes, then `decision`. */
class ScriptedDecoder implements PreambleDecoder {
  readonly chunks: Buffer[] = [];
  seen = 0;
  constructor(private readonly after: number, private readonly decision: () => Decision) {}
  push(chunk: Buffer): Decision {
    this.chunks.push(chunk);
    this.seen += chunk.length;
    return this.seen >= this.after ? this.decision() : { kind: 'more' };
  }
}

interface Outcome {
  routed: { conn: Connection; data: Buffer; decision: Route; readableLength: number }[];
  rejected: { why: string; detail: string }[];
}

type Accepted = Socket | ReadableHandle;
type Path = 'handle' | 'socket';

/** Whether the primary still holds the connection open. */
function isOpen(conn: Connection): boolean {
  return conn instanceof Socket ? !conn.destroyed : (conn as unknown as { fd: number }).fd >= 0;
}

/**
 * The primary's side of the seam, as BalancerServer runs it: the accepted handle read
 * directly (`handle`), or a paused Socket at highWaterMark 0 (`socket`, the fallback).
 */
class Harness {
  readonly server = new Server({ pauseOnConnect: true, highWaterMark: 0 });
  readonly outcome: Outcome = { routed: [], rejected: [] };
  readonly decoders: PreambleDecoder[] = [];
  readonly accepted: Accepted[] = [];
  readers!: PreambleReaders;

  constructor(private readonly path: Path) {}

  async start(options: Partial<PreambleReaderOptions> & { decoder(): PreambleDecoder }): Promise<void> {
    this.readers = new PreambleReaders({
      timeoutMs: 10_000,
      answerHttp: true,
      onRoute: (conn, data, decision) => this.outcome.routed.push({ conn, data, decision, readableLength: conn instanceof Socket ? conn.readableLength : 0 }),
      onReject: (_socket, why, detail) => this.outcome.rejected.push({ why, detail }),
      ...options,
      decoder: () => {
        const d = options.decoder();
        this.decoders.push(d);
        return d;
      },
    });
    this.server.on('connection', (socket) => {
      this.accepted.push(socket);
      this.readers.read(socket);
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    if (this.path === 'socket') return;
    const listening = (this.server as unknown as { _handle: { onconnection: (err: number, h: ReadableHandle) => void } })._handle;
    listening.onconnection = (err, handle) => {
      if (err) return;
      expect(isReadableHandle(handle)).toBe(true);
      this.accepted.push(handle);
      const peer: { address?: string } = {};
      handle.getpeername(peer);
      this.readers.readHandle(handle, peer.address ?? '');
    };
  }

  /** A client whose bytes from the server and close are collected. */
  async client(): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
    const before = this.accepted.length;
    const socket = connect((this.server.address() as AddressInfo).port, '127.0.0.1');
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('error', () => {});
    const closed = once(socket, 'close').then(() => undefined);
    await once(socket, 'connect');
    // read() runs in the server's 'connection' listener, so accepted means being read.
    await waitFor(() => this.accepted.length > before, 5000, 'the reader to take the connection');
    return { socket, received: () => data, closed };
  }

  async stop(): Promise<void> {
    this.readers.closeAll();
    for (const c of this.accepted) {
      if (c instanceof Socket) c.destroy();
      else if (isOpen(c)) c.close();
    }
    this.server.close();
  }
}

describe.each(['handle', 'socket'] as const)('PreambleReaders reading the accepted %s', (path) => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness(path);
  });
  afterEach(() => h.stop());

  it('routes once the decoder knows, with every byte read across partial reads', async () => {
    await h.start({ decoder: () => new ScriptedDecoder(6, () => ({ kind: 'route', key: 'k' })) });
    const c = await h.client();
    c.socket.write('abc');
    await waitFor(() => (h.decoders[0] as ScriptedDecoder).seen === 3, 5000, 'the first part');
    expect(h.outcome.routed).toHaveLength(0);
    c.socket.write('def');
    await waitFor(() => h.outcome.routed.length === 1, 5000, 'the route');
    const [r] = h.outcome.routed;
    expect(r!.data.toString()).toBe('abcdef');
    expect(r!.decision).toEqual({ kind: 'route', key: 'k' });
    // Nothing left in the primary's buffer to be lost at hand-off, and the reader let go.
    expect(r!.readableLength).toBe(0);
    expect(h.readers.size).toBe(0);
    expect(isOpen(r!.conn)).toBe(true);
    expect(h.outcome.rejected).toEqual([]);
  });

  it('hands over the bytes a read brought past the key, and leaves every later byte in the kernel', async () => {
    await h.start({ decoder: () => new ScriptedDecoder(3, () => ({ kind: 'route', key: 'k' })) });
    const c = await h.client();
    c.socket.write('abcdef');
    await waitFor(() => h.outcome.routed.length === 1, 5000, 'the route');
    const { conn, data } = h.outcome.routed[0]!;
    expect(data.toString()).toBe('abcdef');
    c.socket.write('later');
    // Whoever reads the connection next (the worker) gets exactly what the primary did not.
    // A worker gets the descriptor in a fresh handle; here the same handle, which may read into
    // the primary's shared buffer for good, so the Socket brings a buffer of its own.
    let rest = '';
    const onread = { buffer: Buffer.alloc(64), callback: (n: number, b: Buffer) => void (rest += b.toString('latin1', 0, n)) };
    const next = conn instanceof Socket ? conn : new Socket({ handle: conn, onread } as ConstructorParameters<typeof Socket>[0]);
    if (conn instanceof Socket) next.on('data', (d: Buffer) => (rest += d.toString()));
    next.resume();
    await waitFor(() => rest === 'later', 5000, 'the later bytes');
    next.destroy();
  });

  it('drops the skipped preamble bytes from what it hands over', async () => {
    await h.start({ decoder: () => new ScriptedDecoder(1, () => ({ kind: 'route', key: null, skip: 4 })) });
    const c = await h.client();
    c.socket.write('SKIPrest');
    await waitFor(() => h.outcome.routed.length === 1, 5000, 'the route');
    expect(h.outcome.routed[0]!.data.toString()).toBe('rest');
  });

  it('reads at most READ_CAP bytes of a body sent with the head; the rest stays for the worker', async () => {
    const decoder = headerDecoders({ header: 'x-forwarded-for', trustedHops: 1, ignoreMissingHeader: false, maxHeaderBytes: 16_384 });
    await h.start({ decoder });
    const c = await h.client();
    const body = 'b'.repeat(64 * 1024);
    const head = `POST / HTTP/1.1\r\nX-Forwarded-For: 192.0.2.1\r\nContent-Length: ${body.length}\r\n\r\n`;
    c.socket.write(head + body);
    await waitFor(() => h.outcome.routed.length === 1, 5000, 'the route');
    const { conn, data } = h.outcome.routed[0]!;
    expect(data.toString('latin1').startsWith(head)).toBe(true);
    if (path === 'handle') expect(data.length).toBeLessThanOrEqual(READ_CAP);
    let rest = '';
    const onread = { buffer: Buffer.alloc(65_536), callback: (n: number, b: Buffer) => void (rest += b.toString('latin1', 0, n)) };
    const next = conn instanceof Socket ? conn : new Socket({ handle: conn, onread } as ConstructorParameters<typeof Socket>[0]);
    if (conn instanceof Socket) next.on('data', (d: Buffer) => (rest += d.toString('latin1')));
    next.resume();
    await waitFor(() => data.length + rest.length === head.length + body.length, 5000, 'the rest of the body');
    expect(data.toString('latin1') + rest).toBe(head + body);
    next.destroy();
  });

  it('drops what a rejected client still sends after its answer', async () => {
    await h.start({
      decoder: () => new ScriptedDecoder(1, () => ({ kind: 'reject', why: 'not-http', detail: 'bad', status: 400 })),
    });
    const c = await h.client();
    c.socket.write('x');
    await waitFor(() => c.received().length > 0, 5000, 'the answer');
    c.socket.write('y'.repeat(100_000));
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(h.outcome.rejected).toEqual([{ why: 'not-http', detail: 'bad' }]);
  });

  it('answers a rejected HTTP client with its status and closes', async () => {
    await h.start({
      decoder: () => new ScriptedDecoder(1, () => ({ kind: 'reject', why: 'not-http', detail: 'bad', status: 400 })),
    });
    const c = await h.client();
    c.socket.write('x');
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(h.outcome.rejected).toEqual([{ why: 'not-http', detail: 'bad' }]);
    expect(h.outcome.routed).toEqual([]);
    expect(h.readers.size).toBe(0);
  });

  it('just closes a rejected client when it does not answer HTTP (PROXY mode)', async () => {
    await h.start({ answerHttp: false, decoder: () => proxyProtocolDecoder({}, 4096) });
    const c = await h.client();
    c.socket.write('GET / HTTP/1.1\r\n\r\n');
    await c.closed;
    expect(c.received()).toBe('');
    expect(h.outcome.rejected).toEqual([{ why: 'bad-proxy-preamble', detail: 'no PROXY protocol preamble' }]);
  });

  it('answers 408 when no routing key arrives within timeoutMs', async () => {
    await h.start({ timeoutMs: 200, decoder: () => new ScriptedDecoder(100, () => ({ kind: 'route', key: 'k' })) });
    const c = await h.client();
    c.socket.write('slow');
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(h.outcome.rejected).toEqual([{ why: 'timeout', detail: 'no routing key within 200 ms' }]);
    expect(h.outcome.routed).toEqual([]);
  });

  it('answers 431 once a head passes maxHeaderBytes, arriving in parts', async () => {
    const decoder = headerDecoders({ header: 'x-forwarded-for', trustedHops: 1, ignoreMissingHeader: false, maxHeaderBytes: 1024 });
    await h.start({ decoder });
    const c = await h.client();
    c.socket.write('GET / HTTP/1.1\r\nCookie: ');
    await waitFor(() => (h.accepted[0] as { bytesRead: number }).bytesRead > 0, 5000, 'the first part');
    c.socket.write('a'.repeat(2000));
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(h.outcome.rejected).toEqual([{ why: 'head-too-large', detail: 'request head over 1024 bytes' }]);
  });

  it('rejects a PROXY v2 preamble over its byte cap without reading the rest', async () => {
    await h.start({ answerHttp: false, decoder: () => proxyProtocolDecoder({}, 64) });
    const c = await h.client();
    const head = Buffer.from('0d0a0d0a000d0a515549540a2111', 'hex');
    c.socket.write(Buffer.concat([head, Buffer.from([0x10, 0x00])]));
    await c.closed;
    expect(h.outcome.rejected).toEqual([{ why: 'bad-proxy-preamble', detail: 'v2 preamble of 4112 bytes is over 64' }]);
  });

  it('turns a throwing decoder into one rejected connection', async () => {
    await h.start({
      decoder: () => ({ push: () => { throw new Error('boom'); } }),
    });
    const c = await h.client();
    c.socket.write('x');
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 400 /);
    expect(h.outcome.rejected).toEqual([{ why: 'decoder-error', detail: 'could not read the preamble: Error: boom' }]);
    // The reader still serves the next connection.
    const next = await h.client();
    expect(h.readers.size).toBe(1);
    next.socket.destroy();
  });

  it('forgets a client that closes while being read, without a route or a reject', async () => {
    await h.start({ decoder: () => new ScriptedDecoder(100, () => ({ kind: 'route', key: 'k' })) });
    const c = await h.client();
    c.socket.write('part');
    await waitFor(() => (h.decoders[0] as ScriptedDecoder).seen === 4, 5000, 'the part');
    c.socket.destroy();
    await waitFor(() => h.readers.size === 0, 5000, 'the reader to let go');
    expect(isOpen(h.accepted[0]!)).toBe(false);
    expect(h.outcome).toEqual({ routed: [], rejected: [] });
  });

  it('forgets a client that half-closes before the key is known', async () => {
    await h.start({ decoder: () => new ScriptedDecoder(100, () => ({ kind: 'route', key: 'k' })) });
    const c = await h.client();
    c.socket.end('part');
    await c.closed;
    expect(h.readers.size).toBe(0);
    expect(h.outcome).toEqual({ routed: [], rejected: [] });
  });

  it('holds at most maxPerPeer from one address, and a place comes back when one routes or leaves', async () => {
    await h.start({ maxPerPeer: 2, decoder: () => new ScriptedDecoder(3, () => ({ kind: 'route', key: 'k' })) });
    const a = await h.client();
    const b = await h.client();
    const over = await h.client();
    await over.closed;
    expect(h.outcome.rejected).toEqual([{ why: 'perPeer', detail: '127.0.0.1 already has 2 connections whose routing key is not read yet (its share of maxPending)' }]);
    expect(h.readers.size).toBe(2);
    a.socket.write('abc');
    await waitFor(() => h.outcome.routed.length === 1, 5000, 'the route');
    const c = await h.client();
    b.socket.destroy();
    await waitFor(() => h.readers.size === 1, 5000, 'the reader to let go of b');
    const d = await h.client();
    expect(h.readers.size).toBe(2);
    expect(h.outcome.rejected).toHaveLength(1);
    c.socket.destroy();
    d.socket.destroy();
  });

  it('gives a timed-out connection\'s place back to its address', async () => {
    await h.start({ maxPerPeer: 1, timeoutMs: 200, decoder: () => new ScriptedDecoder(100, () => ({ kind: 'route', key: 'k' })) });
    const a = await h.client();
    await a.closed;
    expect(h.outcome.rejected.map((r) => r.why)).toEqual(['timeout']);
    const b = await h.client();
    expect(h.readers.size).toBe(1);
    expect(h.outcome.rejected.map((r) => r.why)).toEqual(['timeout']);
    b.socket.destroy();
  });

  it('closes every connection still being read on closeAll', async () => {
    await h.start({ decoder: () => new ScriptedDecoder(100, () => ({ kind: 'route', key: 'k' })) });
    const a = await h.client();
    const b = await h.client();
    expect(h.readers.size).toBe(2);
    h.readers.closeAll();
    await Promise.all([a.closed, b.closed]);
    expect(h.readers.size).toBe(0);
    expect(h.outcome).toEqual({ routed: [], rejected: [] });
  });
});
