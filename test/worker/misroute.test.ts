import { once } from 'node:events';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { StickyConfigError } from '../../src/errors.js';
import type { StatsMessage } from '../../src/ipc/messages.js';
import { MAX_HEADER_LINES } from '../../src/routing/proxy-header.js';
import { ROUTING_ENV } from '../../src/ipc/env.js';
import { resolveRouting, type HeaderRoutingResolved } from '../../src/routing/options.js';
import { ConnectionTracker } from '../../src/worker/connection-tracker.js';
import { headerRoutingFromEnv, MISROUTED_WARNING_CODE, MisrouteCheck } from '../../src/worker/misroute.js';

type Headers = Record<string, string>;

/** A worker's server with the check installed; each connection is remembered under `connKey`. */
class Harness {
  readonly server: Server = createServer((_req, res) => res.end('ok'));
  readonly tracker = new ConnectionTracker((_msg: StatsMessage) => {});
  readonly warnings: Error[] = [];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly onWarning = (w: Error): void => {
    if ((w as NodeJS.ErrnoException).code === MISROUTED_WARNING_CODE) this.warnings.push(w);
  };

  /** `connKey` undefined: the connection was never remembered (not routed by header). */
  constructor(routing: HeaderRoutingResolved, connKey: string | undefined) {
    const check = new MisrouteCheck(routing, this.tracker);
    check.watch(this.server);
    if (connKey !== undefined) this.server.on('connection', (socket: Socket) => check.remember(socket, connKey));
    this.server.on('upgrade', (_req, socket: Socket) => socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'));
    process.on('warning', this.onWarning);
  }

  async listen(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  /** Sends the requests one after another down one keep-alive connection. */
  async send(...all: Headers[]): Promise<void> {
    for (const headers of all) {
      await new Promise<void>((resolve, reject) => {
        const req = request({ port: (this.server.address() as AddressInfo).port, host: '127.0.0.1', agent: this.agent, headers }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
    }
  }

  /** process.emitWarning delivers on the next tick. */
  async warningsSettled(): Promise<Error[]> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.warnings;
  }

  async close(): Promise<void> {
    process.off('warning', this.onWarning);
    this.agent.destroy();
    this.tracker.stop();
    this.server.closeAllConnections();
    this.server.close();
  }
}

const routing = (over: object = {}): HeaderRoutingResolved =>
  resolveRouting({ by: 'header', ...over } as Parameters<typeof resolveRouting>[0]) as HeaderRoutingResolved;

let h: Harness | undefined;
afterEach(() => h?.close());

async function harness(r: HeaderRoutingResolved, connKey: string | undefined): Promise<Harness> {
  h = new Harness(r, connKey);
  await h.listen();
  return h;
}

describe('MisrouteCheck', () => {
  it('counts nothing while every request names the connection\'s client', async () => {
    const t = await harness(routing(), '1.2.3.4');
    await t.send({ 'x-forwarded-for': '1.2.3.4' }, { 'x-forwarded-for': '6.6.6.6, 1.2.3.4' }, { 'X-Forwarded-For': '1.2.3.4' });
    expect(t.tracker.misrouted).toBe(0);
    expect(await t.warningsSettled()).toEqual([]);
  });

  it('counts every request of another client and warns once, naming the cause and the fix', async () => {
    const t = await harness(routing(), '1.2.3.4');
    await t.send({ 'x-forwarded-for': '5.5.5.5' }, { 'x-forwarded-for': '1.2.3.4' }, { 'x-forwarded-for': '7.7.7.7' });
    expect(t.tracker.misrouted).toBe(2);
    const warnings = await t.warningsSettled();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('x-forwarded-for (5.5.5.5) differs from the client its connection was routed by (1.2.3.4)');
    expect(warnings[0]!.message).toContain('keepalive');
  });

  it('compares keys after the prefix: clients in one /24 are one key', async () => {
    const t = await harness(routing({ ipv4Prefix: 24 }), '10.1.2.0/24');
    await t.send({ 'x-forwarded-for': '10.1.2.3' }, { 'x-forwarded-for': '10.1.2.200' }, { 'x-forwarded-for': '10.1.3.1' });
    expect(t.tracker.misrouted).toBe(1);
  });

  it('leaves a request without the header alone unless ignoreMissingHeader routes it by the peer', async () => {
    const strict = await harness(routing(), '1.2.3.4');
    await strict.send({}, { 'x-forwarded-for': 'unknown' });
    expect(strict.tracker.misrouted).toBe(0);
    await strict.close();
    const lenient = await harness(routing({ ignoreMissingHeader: true }), '1.2.3.4');
    await lenient.send({});
    // The peer here is 127.0.0.1: not the client the connection was routed by.
    expect(lenient.tracker.misrouted).toBe(1);
  });

  it('checks nothing on a connection it was not told the key of', async () => {
    const t = await harness(routing(), undefined);
    await t.send({ 'x-forwarded-for': '5.5.5.5' });
    expect(t.tracker.misrouted).toBe(0);
  });

  it('checks upgrade requests too (websocket)', async () => {
    const t = await harness(routing(), '1.2.3.4');
    await new Promise<void>((resolve) => {
      const req = request({
        port: (t.server.address() as AddressInfo).port, host: '127.0.0.1',
        headers: { connection: 'upgrade', upgrade: 'websocket', 'x-forwarded-for': '5.5.5.5' },
      });
      req.on('response', () => resolve());
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.end();
    });
    expect(t.tracker.misrouted).toBe(1);
  });

  it('reads the header only in the lines req.headers keeps, as the primary does', async () => {
    const t = await harness(routing(), '1.2.3.4');
    const filler = (n: number): Headers => Object.fromEntries(Array.from({ length: n }, (_, i) => [`h${i}`, 'v']));
    // Connection given here, so Node's client adds no line of its own: `line` is the head's length.
    const at = (line: number): Headers => ({ connection: 'keep-alive', host: '127.0.0.1', ...filler(line - 3), 'x-forwarded-for': '5.5.5.5' });
    await t.send(at(MAX_HEADER_LINES));
    expect(t.tracker.misrouted).toBe(1);
    // Node 20 drops the line past the limit; Node 22 and 24 refuse the whole head (the send fails).
    await t.send(at(MAX_HEADER_LINES + 1)).catch(() => undefined);
    expect(t.tracker.misrouted).toBe(1);
  });

  it('refuses a TLS server: header mode cannot read its requests', () => {
    const check = new MisrouteCheck(routing(), new ConnectionTracker(() => {}));
    expect(() => check.watch(new TlsServer())).toThrow(StickyConfigError);
  });
});

describe('headerRoutingFromEnv', () => {
  it('reads header routing from the primary\'s environment, and nothing in other modes', () => {
    const r = routing({ header: 'x-real-ip' });
    expect(headerRoutingFromEnv({ [ROUTING_ENV]: JSON.stringify(r) })).toEqual(r);
    expect(headerRoutingFromEnv({ [ROUTING_ENV]: JSON.stringify({ by: 'ip' }) })).toBeUndefined();
    expect(headerRoutingFromEnv({})).toBeUndefined();
  });
});
