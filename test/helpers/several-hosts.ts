/**
 * "Several machines" on one: a real redis-server, `sticky start` instances on their own
 * ports (each playing one host), and HAProxy or nginx in front, run from templates/.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket as ClientSocket } from 'socket.io-client';
import { loopbackAddresses, pollingClient } from './clients.js';
import { launch, replaceOnce, type Front } from './front-proxies.js';
import { freePort } from './ports.js';
import { startInstance, type Instance } from './sticky-instance.js';

const TEMPLATES = path.resolve(__dirname, '../../templates');
export const MULTI_HOST_APP = path.resolve(__dirname, '../fixtures/multi-host/server.js');

/** redis-server on a free loopback port, no persistence, in a folder of its own. */
export async function startRedis(): Promise<Front & { url: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sticky-redis-'));
  const port = await freePort();
  const front = await launch('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
  ], dir, [port]);
  return { ...front, url: `redis://127.0.0.1:${port}` };
}

/** HAProxy from templates/haproxy-several-hosts.cfg, with its two servers at `ports`. */
export async function startSeveralHostsHaproxy(ports: [number, number]): Promise<Front & { port: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sticky-haproxy-'));
  const port = await freePort();
  let cfg = readFileSync(path.join(TEMPLATES, 'haproxy-several-hosts.cfg'), 'utf8');
  cfg = replaceOnce(cfg, 'bind :80', `bind 127.0.0.1:${port}`);
  cfg = replaceOnce(cfg, 'server host-a 10.0.0.11:3000', `server host-a 127.0.0.1:${ports[0]}`);
  cfg = replaceOnce(cfg, 'server host-b 10.0.0.12:3000', `server host-b 127.0.0.1:${ports[1]}`);
  const file = path.join(dir, 'haproxy.cfg');
  writeFileSync(file, cfg);
  return { ...await launch('haproxy', ['-f', file, '-db'], dir, [port]), port };
}

/** nginx from templates/nginx-several-hosts.conf, with its two servers at `ports`. */
export async function startSeveralHostsNginx(ports: [number, number]): Promise<Front & { port: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sticky-nginx-'));
  const port = await freePort();
  let conf = readFileSync(path.join(TEMPLATES, 'nginx-several-hosts.conf'), 'utf8');
  conf = replaceOnce(conf, 'listen 80;', `listen 127.0.0.1:${port};`);
  conf = replaceOnce(conf, 'server 10.0.0.11:3000', `server 127.0.0.1:${ports[0]}`);
  conf = replaceOnce(conf, 'server 10.0.0.12:3000', `server 127.0.0.1:${ports[1]}`);
  conf = replaceOnce(conf, 'worker_processes auto;', 'worker_processes 1;');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `    ${t}_temp_path ${path.join(dir, t)};`).join('\n');
  conf = replaceOnce(conf, 'http {\n', `http {\n${temp}\n`);
  const file = path.join(dir, 'nginx.conf');
  writeFileSync(file, conf);
  const errorLog = path.join(dir, 'error.log');
  const front = await launch('nginx', [
    '-p', dir, '-c', file, '-e', errorLog, '-g', `daemon off; pid ${path.join(dir, 'nginx.pid')};`,
  ], dir, [port], errorLog);
  return { ...front, port };
}

export interface SeveralHosts {
  redis: Front & { url: string };
  /** Host "a" and host "b". */
  hosts: [Instance, Instance];
  front: Front & { port: number };
  clients: Client[];
  /** `count` clients of test/fixtures/multi-host through the front, from distinct addresses. */
  connect(count: number): Client[];
  cleanUp(): Promise<void>;
}

/**
 * Redis, two `sticky start` instances of test/fixtures/multi-host (hosts "a" and "b", each
 * with `workers` workers routing by `routing`) and HAProxy or nginx in front of them.
 */
export async function startSeveralHosts(front: 'haproxy' | 'nginx', routing: 'proxy-protocol' | 'header', workers: number): Promise<SeveralHosts> {
  const redis = await startRedis();
  const started: Partial<SeveralHosts> & { redis: typeof redis; clients: Client[] } = { redis, clients: [] };
  const cleanUp = async (): Promise<void> => {
    for (const c of started.clients) c.socket.close();
    await started.front?.stop();
    await Promise.all((started.hosts ?? []).map((h) => h.cleanUp()));
    await redis.stop();
  };
  try {
    started.hosts = await Promise.all((['a', 'b'] as const).map((h) => startInstance({
      name: `${front}-${h}`,
      script: MULTI_HOST_APP,
      routing: { by: routing },
      env: { REDIS_URL: redis.url, HOST_NAME: h },
      reload: { drainTimeoutMs: 3000 },
    }, workers))) as [Instance, Instance];
    const ports: [number, number] = [started.hosts[0].port, started.hosts[1].port];
    started.front = front === 'haproxy' ? await startSeveralHostsHaproxy(ports) : await startSeveralHostsNginx(ports);
  } catch (err) {
    await cleanUp();
    throw err;
  }
  const port = started.front.port;
  return {
    ...(started as Omit<SeveralHosts, 'connect' | 'cleanUp'>),
    connect(count) {
      const made = loopbackAddresses(count).map((addr) => multiHostClient(`http://127.0.0.1:${port}`, addr));
      started.clients.push(...made);
      return made;
    },
    cleanUp,
  };
}

export interface Served {
  host: string;
  pid: number;
  slot: number;
  address: string;
}

export interface Client {
  address: string;
  socket: ClientSocket;
  /** Who served each (re)connection, in order. */
  served: Served[];
  news: string[];
  readonly who: Served | undefined;
}

/**
 * A polling socket.io client of test/fixtures/multi-host that reconnects (through the load
 * balancer) when its server goes away, and asks who serves it after every connect.
 */
export function multiHostClient(url: string, address: string): Client {
  const socket = pollingClient(url, address, { reconnection: true, reconnectionDelay: 200, reconnectionDelayMax: 1000 });
  const client: Client = {
    address,
    socket,
    served: [],
    news: [],
    get who() {
      return socket.connected ? this.served.at(-1) : undefined;
    },
  };
  socket.on('news', (n: { text: string }) => client.news.push(n.text));
  socket.on('connect', () => {
    socket.timeout(10_000).emit('whoami', (err: Error | null, who: Served) => {
      if (!err) client.served.push(who);
    });
  });
  return client;
}
