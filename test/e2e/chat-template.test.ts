// `sticky init --template chat`, then `sticky start` on what it wrote (only the port, name and
// host changed): the page and socket.io's client are served, clients on both workers hear each
// other (the template turns on broadcast: 'cluster'), and malformed messages change nothing.
import http from 'node:http';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, makeProject, removeProject, runCli, uniqueName } from '../helpers/cli.js';
import { connected, loopbackAddresses, pollingClient } from '../helpers/clients.js';
import { runInstance, type Instance } from '../helpers/sticky-instance.js';
import { waitFor } from '../helpers/wait-for.js';

const TEMPLATE = path.join(ROOT, 'templates/chat');
const dir = makeProject('chat');
let chat: Instance;

interface ChatMessage {
  name: string;
  text: string;
  worker: { slot: number; pid: number };
}

interface ChatClient {
  socket: ClientSocket;
  welcome: { slot: number; pid: number };
  messages: ChatMessage[];
}

beforeAll(async () => {
  const init = await runCli(['init', '--template', 'chat'], { cwd: dir });
  expect(init.code, init.stderr).toBe(0);
  const configFile = path.join(dir, 'sticky.config.ts');
  const name = uniqueName('chat');
  const config = readFileSync(configFile, 'utf8')
    .replace("name: 'chat',", `name: '${name}',`)
    .replace('port: 3000,', "port: 0,\n  host: '127.0.0.1',");
  expect(config).toContain(`name: '${name}'`);
  expect(config).toContain('port: 0,');
  writeFileSync(configFile, config);
  chat = await runInstance({ dir, configFile, workers: 2 });
}, 40_000);

afterAll(async () => {
  await chat?.cleanUp();
  removeProject(dir);
});

function get(pathname: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: chat.port, path: pathname, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
        resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body });
      });
    }).on('error', reject);
  });
}

async function join(address: string): Promise<ChatClient> {
  const socket = pollingClient(`http://127.0.0.1:${chat.port}`, address);
  const messages: ChatMessage[] = [];
  socket.on('chat', (m: ChatMessage) => messages.push(m));
  const welcome = new Promise<ChatClient['welcome']>((resolve) => socket.once('welcome', resolve));
  await connected(socket);
  return { socket, welcome: await welcome, messages };
}

describe('templates/chat through sticky init and sticky start', () => {
  let clients: ChatClient[] = [];
  afterAll(() => clients.forEach((c) => c.socket.close()));

  it('writes the template as it is', () => {
    const files = readdirSync(TEMPLATE).sort();
    expect(readdirSync(dir).sort()).toEqual(files);
    expect(readFileSync(path.join(dir, 'server.js'), 'utf8')).toBe(readFileSync(path.join(TEMPLATE, 'server.js'), 'utf8'));
  });

  it('serves the page and the socket.io client, and 404 elsewhere', async () => {
    const page = await get('/');
    expect([page.status, page.type]).toEqual([200, 'text/html; charset=utf-8']);
    expect(page.body).toContain('<script src="/socket.io/socket.io.js"></script>');
    const client = await get('/socket.io/socket.io.js');
    expect(client.status).toBe(200);
    expect(client.body).toContain('Socket.IO');
    expect((await get('/nothing-here')).status).toBe(404);
  });

  it('a message from a client on one worker reaches the clients on both, tagged with its worker', async () => {
    clients = await Promise.all(loopbackAddresses(12).map(join));
    const pids = new Set(clients.map((c) => c.welcome.pid));
    expect(pids.size).toBe(2);
    const sender = clients[0]!;
    sender.socket.emit('chat', { name: 'ada', text: '  hello, everyone  ' });
    await waitFor(() => clients.every((c) => c.messages.length === 1), 10_000, 'the message on every client');
    for (const c of clients) {
      expect(c.messages[0]).toMatchObject({ name: 'ada', text: 'hello, everyone', worker: sender.welcome });
    }
  });

  it('malformed messages are dropped or trimmed to size, and the chat goes on', async () => {
    const [a, b] = [clients[0]!, clients.find((c) => c.welcome.pid !== clients[0]!.welcome.pid)!];
    for (const bad of [null, 42, 'just a string', { text: 7 }, { text: '   ' }, { name: ['x'], text: { nested: true } }]) {
      a.socket.emit('chat', bad);
    }
    a.socket.emit('chat', { name: 'n'.repeat(1000), text: 't'.repeat(100_000) });
    b.socket.emit('chat', { text: 'after the junk' });
    // Two workers, two orders: wait for both, then check nothing else came.
    await waitFor(() => a.messages.length >= 3, 10_000, 'the long message and the one after the junk');
    const got = a.messages.slice(1).map((m) => [m.name, m.text.length]).sort();
    expect(got).toEqual([['anonymous', 'after the junk'.length], ['n'.repeat(40), 500]]);
    expect((await chat.status()).workers.map((w) => w.restarts)).toEqual([0, 0]);
  });
});
