// Apps written to run alone, unmodified: each calls listen() itself on a port of its own
// choosing (APP_PORT). The worker adopts that server instead: it binds nothing, its listen
// callback runs and address() reports the public port; real socket.io polling clients from
// many addresses all connect, each address to one worker, before and after a reload.
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { connected, loopbackAddresses, pollingClient, whoami } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startInstance, type Instance } from '../helpers/sticky-instance.js';

const APPS = path.resolve(__dirname, '../fixtures/apps');
const ADDRESSES = 16;

interface Answer {
  pid: number;
  slot: string;
  instance: string;
  remote: string;
  listened: { called: boolean; address: net.AddressInfo | null };
}

function getJson(port: number, localAddress: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', localAddress, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
        try {
          resolve(JSON.parse(body) as Answer);
        } catch (err) {
          reject(new Error(`${res.statusCode}: ${body}`, { cause: err }));
        }
      });
    }).on('error', reject).on('timeout', function (this: http.ClientRequest) {
      this.destroy(new Error('timed out'));
    });
  });
}

/** Resolves with the connect error's code, or 'connected'. */
function tryConnect(port: number, host: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** One socket.io client per address, `perAddress` times over; the worker's answer for each. */
async function socketIoRound(port: number, perAddress: number): Promise<Map<string, Answer[]>> {
  const byAddress = new Map<string, Answer[]>();
  const addresses = loopbackAddresses(ADDRESSES);
  for (let round = 0; round < perAddress; round++) {
    const answers = await Promise.all(addresses.map(async (address) => {
      const socket = pollingClient(`http://127.0.0.1:${port}`, address);
      try {
        await connected(socket);
        return await (whoami(socket) as unknown as Promise<Answer>);
      } finally {
        socket.close();
      }
    }));
    answers.forEach((answer, i) => byAddress.set(addresses[i]!, [...(byAddress.get(addresses[i]!) ?? []), answer]));
  }
  return byAddress;
}

function expectSticky(byAddress: Map<string, Answer[]>, pids: Set<number>): void {
  for (const [address, answers] of byAddress) {
    expect(new Set(answers.map((a) => a.pid)).size, `${address} on one worker`).toBe(1);
    expect(answers[0]!.remote).toBe(address);
    expect(pids.has(answers[0]!.pid)).toBe(true);
  }
  // 16 addresses on 2 workers: both serve some.
  expect(new Set([...byAddress.values()].map((a) => a[0]!.pid)).size).toBe(2);
}

const CASES = [
  { name: 'http + socket.io, CommonJS', script: 'http-socketio.cjs' },
  { name: 'socket.io io.listen(port), ESM', script: 'socketio-listen.mjs', noHttp: true },
  { name: 'Express app.listen, CommonJS', script: 'express.cjs' },
  { name: 'Express, exported, listening only when require.main === module', script: 'express-main-guard.cjs' },
  { name: 'Fastify listen() on localhost, ESM with top-level await', script: 'fastify.mjs' },
  { name: 'Koa app.listen, CommonJS', script: 'koa.cjs' },
];

describe.each(CASES)('$name', ({ script, noHttp }) => {
  let instance: Instance | undefined;
  let appPort = 0;
  afterAll(() => instance?.cleanUp());

  it('is adopted: binds nothing, its listen callback sees the public port, every client is served by one worker', async () => {
    appPort = await freePort();
    instance = await startInstance({
      name: 'unmodified',
      script: path.join(APPS, script),
      env: { APP_PORT: String(appPort) },
      reload: { drainTimeoutMs: 5000 },
    }, 2);
    const { port } = instance;
    const pids = new Set((await instance.status()).workers.map((w) => w.pid));

    expect(await tryConnect(appPort, '127.0.0.1')).toBe('ECONNREFUSED');
    expect(await tryConnect(appPort, '::1')).toBe('ECONNREFUSED');

    const byAddress = await socketIoRound(port, 2);
    expectSticky(byAddress, pids);
    for (const answers of byAddress.values()) {
      expect(answers[0]!.listened).toEqual({ called: true, address: { address: '127.0.0.1', family: 'IPv4', port } });
      expect(answers[0]!.instance).toBe(answers[0]!.slot);
    }
    if (!noHttp) {
      const address = loopbackAddresses(1)[0]!;
      const answer = await getJson(port, address);
      expect(answer.pid).toBe(byAddress.get(address)![0]!.pid);
    }
  }, 90_000);

  it('after a reload, new workers serve every client, still one worker per address', async () => {
    const before = new Set((await instance!.status()).workers.map((w) => w.pid));
    const reload = await runCli(['reload', '--config', instance!.configFile!], { cwd: instance!.dir, env: instance!.env, timeoutMs: 60_000 });
    expect(reload.code, reload.stderr).toBe(0);
    const after = new Set((await instance!.status()).workers.map((w) => w.pid));
    expect([...after].some((pid) => before.has(pid))).toBe(false);
    expectSticky(await socketIoRound(instance!.port, 2), after);
    expect(await tryConnect(appPort, '127.0.0.1')).toBe('ECONNREFUSED');
    expect((await instance!.status()).workers.map((w) => w.restarts)).toEqual([0, 0]);
  }, 90_000);
});
