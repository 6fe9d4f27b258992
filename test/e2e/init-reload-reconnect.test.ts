// Regression: the starter `sticky init` wrote disconnected its socket.io clients on 'shutdown'
// with io.disconnectSockets(true), a server-side disconnect after which a client never
// reconnects, so every `sticky reload` lost every client for good. What each template writes
// (only name, port, host and workers changed) must keep 10 clients with socket.io's default
// transports, each from its own address, across a reload: each is connected again, to a new
// worker, within seconds.
import http from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, removeProject, runCli, uniqueName } from '../helpers/cli.js';
import { connected, loopbackAddresses } from '../helpers/clients.js';
import { runInstance, type Instance } from '../helpers/sticky-instance.js';
import { waitFor } from '../helpers/wait-for.js';

const CLIENTS = 10;
/** Half the drain timeout: a client moved only by the cut at the drain deadline misses it. */
const RECONNECT_MS = 10_000;

interface Client {
  socket: ClientSocket;
  /** The pid of the worker that served each connection, in order. */
  pids: number[];
  disconnectReasons: string[];
}

/** A socket.io client as an app would make one (default transports and reconnection), from `localAddress`. */
function client(port: number, localAddress: string, welcomeEvent: string): Client {
  const socket = io(`http://127.0.0.1:${port}`, {
    agent: new http.Agent({ keepAlive: false, localAddress }) as unknown as string,
    localAddress,
    forceNew: true,
  } as Parameters<typeof io>[1]);
  const c: Client = { socket, pids: [], disconnectReasons: [] };
  socket.on(welcomeEvent, (worker: { pid: number }) => c.pids.push(worker.pid));
  socket.on('disconnect', (reason) => c.disconnectReasons.push(reason));
  return c;
}

async function initProject(template: string, edit: (config: string, name: string) => string): Promise<{ dir: string; instance: Instance }> {
  const dir = makeProject(`init-${template}`);
  const init = await runCli(['init', '--template', template], { cwd: dir });
  expect(init.code, init.stderr).toBe(0);
  const configFile = path.join(dir, 'sticky.config.ts');
  const name = uniqueName(template);
  const config = edit(readFileSync(configFile, 'utf8'), name);
  expect(config).toContain(name);
  writeFileSync(configFile, config);
  return { dir, instance: await runInstance({ dir, configFile: 'sticky.config.ts', workers: 2 }) };
}

const TEMPLATES = [
  {
    template: 'default',
    welcome: 'hello',
    edit: (config: string, name: string) => config.replace(
      "script: './server.js',",
      `script: './server.js',\n  name: '${name}',\n  port: 0,\n  host: '127.0.0.1',\n  workers: 2,\n  reload: { drainTimeoutMs: 20_000 },`,
    ),
  },
  {
    template: 'chat',
    welcome: 'welcome',
    edit: (config: string, name: string) => config
      .replace("name: 'chat',", `name: '${name}',`)
      .replace('port: 3000,', "port: 0,\n  host: '127.0.0.1',")
      .replace('drainTimeoutMs: 5_000', 'drainTimeoutMs: 20_000'),
  },
];

describe.each(TEMPLATES)('sticky init --template $template, start, reload', ({ template, welcome, edit }) => {
  let dir: string | undefined;
  let instance: Instance | undefined;
  const clients: Client[] = [];

  afterAll(async () => {
    for (const c of clients) c.socket.close();
    await instance?.cleanUp();
    if (dir) removeProject(dir);
  });

  it(`every one of ${CLIENTS} clients is connected again to a new worker within seconds`, async () => {
    ({ dir, instance } = await initProject(template, edit));
    const { port } = instance;
    for (const address of loopbackAddresses(CLIENTS)) clients.push(client(port, address, welcome));
    await Promise.all(clients.map((c) => connected(c.socket)));
    await waitFor(() => clients.every((c) => c.pids.length === 1), 10_000, 'a welcome on every client');
    const oldPids = new Set((await instance.status()).workers.map((w) => w.pid));
    expect([...new Set(clients.map((c) => c.pids[0]))].every((pid) => oldPids.has(pid!))).toBe(true);

    const reload = runCli(['reload', '--config', instance.configFile!], { cwd: instance.dir, env: instance.env, timeoutMs: 40_000 });
    const newPids = await waitFor(async () => {
      const s = await instance!.status();
      const online = s.workers.filter((w) => w.state === 'online' && !oldPids.has(w.pid));
      return online.length === 2 ? new Set(online.map((w) => w.pid)) : undefined;
    }, 30_000, 'two new workers online');
    await waitFor(
      () => clients.every((c) => c.socket.connected && newPids.has(c.pids.at(-1)!)),
      RECONNECT_MS,
      'every client connected to a new worker',
    );
    for (const c of clients) expect(c.disconnectReasons).not.toContain('io server disconnect');
    const result = await reload;
    expect(result.code, result.stderr).toBe(0);
    // Still connected once the old workers have gone, which exited by themselves once their
    // clients had moved (the template's clean-up leaves nothing running).
    expect(clients.every((c) => c.socket.connected)).toBe(true);
    expect(instance.primary.lines.join('\n')).not.toContain('(reload.killTimeoutMs): killed');
  }, 90_000);
});
