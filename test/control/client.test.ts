// The control client against a real Unix socket: replies matched by id, events routed,
// errors (remote, timeout, garbage, other protocol version, stale socket) made clear.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, expect, test } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import { CONTROL_PROTOCOL_VERSION, type ControlEvent } from '../../src/control/protocol.js';
import { StickyControlError, StickyNotRunningError, StickyRemoteError } from '../../src/errors.js';
import { closePeer, startPeer, type Answer } from '../helpers/control-peer.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sticky-client-'));
const v = CONTROL_PROTOCOL_VERSION;
const servers: net.Server[] = [];
const clients: ControlClient[] = [];
let count = 0;

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map(closePeer));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function connectTo(answer: Answer): Promise<ControlClient> {
  const socketPath = path.join(dir, `peer-${++count}.sock`);
  servers.push(await startPeer(socketPath, answer));
  const client = await ControlClient.connect('chat', socketPath);
  clients.push(client);
  return client;
}

test('replies are matched to requests by id, whatever their order', async () => {
  const held: [number, (message: unknown) => void][] = [];
  const client = await connectTo((request, send) => {
    held.push([request.id, send]);
    if (held.length === 2) for (const [id, reply] of held.reverse()) reply({ v, id, ok: true, result: id });
  });
  const [first, second] = await Promise.all([client.request('ping'), client.request('status')]);
  expect([first, second]).toEqual([1, 2]);
});

test('events of a request go to its onEvent, the others to the listeners', async () => {
  const client = await connectTo((request, send) => {
    if (request.method === 'subscribe') {
      send({ v, id: request.id, ok: true, result: null });
      send({ v, event: 'status', data: { n: 1 } });
      return;
    }
    send({ v, event: 'reload', id: request.id, data: { slot: 0, phase: 'forking' } });
    send({ v, event: 'reload', id: request.id, data: { slot: 0, phase: 'online', newPid: 7 } });
    send({ v, id: request.id, ok: true, result: { replaced: 1 } });
  });
  const pushed: ControlEvent[] = [];
  client.onEvent((event) => pushed.push(event));
  const progress: ControlEvent[] = [];
  await expect(client.request('reload', { onEvent: (event) => progress.push(event) })).resolves.toEqual({ replaced: 1 });
  expect(progress.map((event) => event.data)).toEqual([{ slot: 0, phase: 'forking' }, { slot: 0, phase: 'online', newPid: 7 }]);
  await client.request('subscribe');
  await expect.poll(() => pushed.map((event) => event.data)).toEqual([{ n: 1 }]);
});

test('a request is sent as one JSON line with the protocol version', async () => {
  let seen: unknown;
  const client = await connectTo((request, send) => {
    seen = request;
    send({ v, id: request.id, ok: true, result: null });
  });
  await client.request('stop', { params: { force: false } });
  expect(seen).toEqual({ v, id: 1, method: 'stop', params: { force: false } });
});

test('an error reply rejects with the supervisor\'s code and message', async () => {
  const client = await connectTo((request, send) => send({ v, id: request.id, ok: false, error: { code: 'STICKY_RELOAD', message: 'slot 1: SyntaxError' } }));
  const error = await client.request('reload').catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(StickyRemoteError);
  expect(error).toMatchObject({ code: 'STICKY_RELOAD', message: 'slot 1: SyntaxError' });
});

test('no reply within the timeout rejects, naming the method', async () => {
  const client = await connectTo(() => {});
  await expect(client.request('status', { timeoutMs: 100 })).rejects.toThrow(/did not answer "status" within 100 ms/);
});

test('timeoutMs 0 waits as long as it takes', async () => {
  let reply: (() => void) | undefined;
  const client = await connectTo((request, send) => (reply = () => send({ v, id: request.id, ok: true, result: 'done' })));
  const pending = client.request('reload', { timeoutMs: 0 });
  await expect.poll(() => reply !== undefined).toBe(true);
  reply!();
  await expect(pending).resolves.toBe('done');
});

test('a reply split inside a UTF-8 character, and two replies in one write, are read right', async () => {
  const client = await connectTo((request, _send, socket) => {
    if (request.id === 1) {
      const bytes = Buffer.from(`${JSON.stringify({ v, id: 1, ok: true, result: 'é€' })}\n`);
      const cut = bytes.indexOf(0xc3) + 1;
      socket.write(bytes.subarray(0, cut));
      setImmediate(() => socket.write(bytes.subarray(cut)));
    }
    if (request.id === 3) {
      socket.write(`${JSON.stringify({ v, id: 2, ok: true, result: 'b' })}\n${JSON.stringify({ v, id: 3, ok: true, result: 'c' })}\n`);
    }
  });
  await expect(client.request('status')).resolves.toBe('é€');
  await expect(Promise.all([client.request('status'), client.request('status')])).resolves.toEqual(['b', 'c']);
});

test('another protocol version is refused with a clear message', async () => {
  const client = await connectTo((request, send) => send({ v: 2, id: request.id, ok: true, result: null }));
  await expect(client.request('status')).rejects.toThrow(/speaks control protocol v2, this sticky v1/);
});

test('a line that is not JSON fails the connection', async () => {
  const client = await connectTo((request, send) => send('hello\n'));
  const error = await client.request('status').catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(StickyControlError);
  expect((error as Error).message).toMatch(/not JSON: hello/);
  await client.closed;
});

test('the supervisor going away rejects what is in flight, and what follows', async () => {
  const client = await connectTo((request, send, socket) => socket.destroy());
  await expect(client.request('status')).rejects.toThrow(/closed the control connection/);
  await expect(client.request('status')).rejects.toThrow(/closed the control connection/);
});

test('no socket file: not running', async () => {
  const error = await ControlClient.connect('nope', path.join(dir, 'nope.sock')).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(StickyNotRunningError);
  expect((error as Error).message).toBe(`no sticky instance "nope" is running (no control socket: ${path.join(dir, 'nope.sock')})`);
});

test('a socket file left by a killed process: not running (stale)', async () => {
  const socketPath = path.join(dir, 'stale.sock');
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  expect(existsSync(socketPath)).toBe(true);
  await expect(ControlClient.connect('old', socketPath)).rejects.toThrow(/no sticky instance "old" is running \(stale control socket/);
});
