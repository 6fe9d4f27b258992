/** Real nginx and HAProxy in front of a fixture, run from templates/, plus socket.io clients through them. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { freePort } from './ports.js';
import { waitUntil } from './wait-for.js';

const TEMPLATES = path.resolve(__dirname, '../../templates');

export interface Front {
  pid: number;
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

export function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`template no longer contains ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

/** Runs `cmd` in `dir` and resolves once every port in `ports` accepts connections. */
export async function launch(cmd: string, args: string[], dir: string, ports: number[], logFile?: string): Promise<Front> {
  const proc: ChildProcess = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const log = (): string => out + (logFile ? safeRead(logFile) : '');
  const front: Front = {
    pid: proc.pid!,
    dir,
    log,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        process.kill(proc.pid!, 'SIGTERM');
        const kill = setTimeout(() => proc.exitCode === null && process.kill(proc.pid!, 'SIGKILL'), 5000);
        await exited;
        clearTimeout(kill);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    for (const port of ports) {
      await waitUntil(async () => {
        if (proc.exitCode !== null) throw new Error(`${cmd} exited (${proc.exitCode}):\n${log()}`);
        return canConnect(port);
      }, 10_000, `${cmd} listening on ${port}`);
    }
  } catch (e) {
    await front.stop();
    throw e;
  }
  return front;
}

function safeRead(file: string): string {
  try { return readFileSync(file, 'utf8'); } catch { return ''; }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/**
 * nginx from templates/nginx.conf with only the listen port, upstream address and the paths
 * it writes changed; `edit` may change more (the keep-alive pool test).
 */
export async function startNginx(backendPort: number, edit: (conf: string) => string = (c) => c): Promise<Front & { port: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sticky-nginx-'));
  const port = await freePort();
  let conf = readFileSync(path.join(TEMPLATES, 'nginx.conf'), 'utf8');
  conf = replaceOnce(conf, 'listen 80;', `listen 127.0.0.1:${port};`);
  conf = replaceOnce(conf, 'server 127.0.0.1:3000;', `server 127.0.0.1:${backendPort};`);
  conf = replaceOnce(conf, 'worker_processes auto;', 'worker_processes 1;');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `    ${t}_temp_path ${path.join(dir, t)};`).join('\n');
  conf = replaceOnce(conf, 'http {\n', `http {\n${temp}\n`);
  writeFileSync(path.join(dir, 'nginx.conf'), edit(conf));
  const errorLog = path.join(dir, 'error.log');
  const front = await launch('nginx', [
    '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', errorLog,
    '-g', `daemon off; pid ${path.join(dir, 'nginx.pid')};`,
  ], dir, [port], errorLog);
  return { ...front, port };
}

/** HAProxy from templates/haproxy.cfg: a mode tcp and a mode http frontend to `backendPort`. */
export async function startHaproxy(backendPort: number): Promise<Front & { tcpPort: number; httpPort: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sticky-haproxy-'));
  const [tcpPort, httpPort] = [await freePort(), await freePort()];
  let cfg = readFileSync(path.join(TEMPLATES, 'haproxy.cfg'), 'utf8');
  cfg = replaceOnce(cfg, 'bind 127.0.0.1:8443', `bind 127.0.0.1:${tcpPort}`);
  cfg = replaceOnce(cfg, 'bind 127.0.0.1:8080', `bind 127.0.0.1:${httpPort}`);
  cfg = cfg.replaceAll('server app1 127.0.0.1:3443', `server app1 127.0.0.1:${backendPort}`);
  const file = path.join(dir, 'haproxy.cfg');
  writeFileSync(file, cfg);
  const front = await launch('haproxy', ['-f', file, '-db'], dir, [tcpPort, httpPort]);
  return { ...front, tcpPort, httpPort };
}

export interface ClientResult {
  localAddress: string;
  helloPid?: number;
  handshakeAddress?: string;
  transport?: string;
  pingPid?: number;
  error?: string;
}

/**
 * Connects `count` socket.io clients from 127.0.0.2, 127.0.0.3, … (no keep-alive pooling),
 * waits for the server's hello over polling, for the upgrade to websocket, then asks the
 * worker for its pid over the websocket: a client moved to another worker fails there.
 */
export async function runSocketIoClients(url: string, count: number, timeoutMs = 15_000): Promise<ClientResult[]> {
  const secure = url.startsWith('https:');
  return Promise.all(Array.from({ length: count }, (_, i) => {
    const localAddress = `127.0.0.${2 + i}`;
    const result: ClientResult = { localAddress };
    const agent = secure
      ? new https.Agent({ keepAlive: false, localAddress, rejectUnauthorized: false })
      : new http.Agent({ keepAlive: false, localAddress });
    const socket = io(url, {
      transports: ['polling', 'websocket'], agent: agent as unknown as string, rejectUnauthorized: false,
      reconnection: false, forceNew: true, timeout: timeoutMs,
    });
    return new Promise<ClientResult>((resolve) => {
      const timer = setTimeout(() => finish('timed out'), timeoutMs);
      const finish = (error?: string): void => {
        clearTimeout(timer);
        if (error) result.error = error;
        socket.close();
        agent.destroy();
        resolve(result);
      };
      socket.on('connect_error', (e) => finish(`connect_error: ${e.message}`));
      socket.on('disconnect', (reason) => { if (result.pingPid === undefined) finish(`disconnect: ${reason}`); });
      socket.on('hello', (hello: { pid: number; address: string }) => {
        result.helloPid = hello.pid;
        result.handshakeAddress = hello.address;
        const ping = (): void => {
          result.transport = socket.io.engine.transport.name;
          socket.emit('ping-worker', (pong: { pid: number }) => {
            result.pingPid = pong.pid;
            finish();
          });
        };
        if (socket.io.engine.transport.name === 'websocket') ping();
        else socket.io.engine.once('upgrade', ping);
      });
    });
  }));
}
