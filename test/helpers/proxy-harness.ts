/** Starting routing fixtures and talking to them the way real clients do (no pooling). */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

import { runNode, startNode } from './processes.js';
import { waitFor } from './wait-for.js';
import { parseStatusBytes } from '../../src/supervisor/proc-stats.js';

export { waitFor };
export { fdCount, isAlive } from './processes.js';
export { selfSignedCert } from './tls.js';

export const FIXTURES = path.resolve(__dirname, '../fixtures');

export interface FixtureStatus {
  pid: number;
  routing: string;
  /** ip mode: who accepts ('kernel' or 'primary'). */
  accept?: string;
  rejected: number;
  misrouted: number;
  pending: number;
  rssBytes: number;
  heapUsed: number;
  heapTotal: number;
  workers: { slot: number; pid: number; state: string; active: number; total: number; misrouted: number }[];
}

export interface Fixture {
  proc: ChildProcess;
  pid: number;
  port: number;
  stderr(): string;
  status(): Promise<FixtureStatus>;
  /** Status after a full GC (the fixture must run with --expose-gc, see startFixture's nodeArgs). */
  gcStatus(): Promise<FixtureStatus>;
  stop(): Promise<void>;
}

/** Spawns a fixture primary and resolves once it printed `ready` (every worker online). */
export async function startFixture(script: string, env: Record<string, string>, timeoutMs = 15_000, nodeArgs: string[] = []): Promise<Fixture> {
  const fx = startNode(path.join(FIXTURES, script), [], { env, nodeArgs, stdin: 'pipe' });
  const stderr = (): string => fx.stderr.join('');
  const waiters: ((msg: Record<string, unknown>) => boolean)[] = [];
  fx.onLine((line) => {
    let msg: Record<string, unknown>;
    try { msg = JSON.parse(line) as Record<string, unknown>; } catch { return; }
    const i = waiters.findIndex((w) => w(msg));
    if (i !== -1) waiters.splice(i, 1);
  });
  // One exit listener for every wait (one per wait leaked: MaxListenersExceededWarning).
  let exitCode: number | null | undefined;
  const exitWaiters = new Set<() => void>();
  void fx.exited.then(({ code }) => {
    exitCode = code;
    for (const fail of exitWaiters) fail();
  });
  const next = <T>(t: string, ms: number): Promise<T> => new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      exitWaiters.delete(onExit);
      const i = waiters.indexOf(waiter);
      if (i !== -1) waiters.splice(i, 1);
      reject(new Error(`fixture ${script}: ${why}; stderr:\n${stderr()}`));
    };
    const onExit = (): void => fail(`exited (${exitCode}) before a ${t} line`);
    const timer = setTimeout(() => fail(`no ${t} line in ${ms} ms`), ms);
    const waiter = (m: Record<string, unknown>): boolean => {
      if (m.t !== t) return false;
      clearTimeout(timer);
      exitWaiters.delete(onExit);
      resolve(m as T);
      return true;
    };
    if (exitCode !== undefined) return onExit();
    exitWaiters.add(onExit);
    waiters.push(waiter);
  });
  let ready: { pid: number; port: number };
  try {
    ready = await next<{ pid: number; port: number }>('ready', timeoutMs);
  } catch (e) {
    await fx.kill();
    throw e;
  }
  const ask = (command: string): Promise<FixtureStatus> => {
    const reply = next<FixtureStatus>('status', 5000);
    fx.child.stdin!.write(`${command}\n`);
    return reply;
  };
  return {
    proc: fx.child,
    pid: ready.pid,
    port: ready.port,
    stderr,
    status: () => ask('status'),
    gcStatus: () => ask('gc-status'),
    async stop() {
      if (exitCode !== undefined) return;
      // Only the primary: workers exit on their own when its IPC channel closes.
      process.kill(ready.pid, 'SIGKILL');
      await fx.exited;
    },
  };
}

export interface Reply {
  status: number;
  body: string;
  json<T = AppReply>(): T;
}

/** What test/fixtures/proxy-app.js answers. */
export interface AppReply {
  pid: number;
  slot: number;
  remoteAddress: string;
  remotePort: number;
  url: string;
  xff: string | null;
  bytes: number;
  sha256: string;
}

export function request(port: number, options: {
  path?: string; method?: string; headers?: Record<string, string>; localAddress?: string; body?: Buffer;
} = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, agent: false, path: options.path ?? '/', method: options.method ?? 'GET',
      headers: options.headers, localAddress: options.localAddress,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body, json: <T>() => JSON.parse(body) as T });
      });
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Writes `pieces` one write at a time (each after the previous was flushed), half-closes
 * unless `keepOpen`, and resolves with every byte received once the server closes.
 */
export function rawExchange(port: number, pieces: Buffer[], options: { localAddress?: string; keepOpen?: boolean; timeoutMs?: number } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress: options.localAddress });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('raw exchange timed out')), options.timeoutMs ?? 10_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e) => { clearTimeout(timer); reject(e); });
    socket.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks)); });
    const writeFrom = (i: number): void => {
      if (socket.destroyed) return;
      if (i < pieces.length) socket.write(pieces[i], () => writeFrom(i + 1));
      else if (!options.keepOpen) socket.end();
    };
    socket.once('connect', () => writeFrom(0));
  });
}

/** Splits raw HTTP/1.1 responses with Content-Length bodies (what the app sends). */
export function parseResponses(raw: Buffer): { status: number; head: string; body: string }[] {
  const out: { status: number; head: string; body: string }[] = [];
  let at = 0;
  while (at < raw.length) {
    const end = raw.indexOf('\r\n\r\n', at);
    if (end === -1) break;
    const head = raw.toString('latin1', at, end);
    const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(head)?.[1]);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    out.push({ status, head, body: raw.toString('utf8', end + 4, end + 4 + length) });
    at = end + 4 + length;
  }
  return out;
}

export function rssBytes(pid: number): number {
  return parseStatusBytes(readFileSync(`/proc/${pid}/status`, 'utf8')) ?? 0;
}

/** Runs node with `args` to its exit and returns its exit code and stderr (for config errors). */
export async function runToExit(args: string[], env: Record<string, string> = {}, timeoutMs = 10_000): Promise<{ code: number | null; stderr: string }> {
  // stdin stays open: the routing fixtures stop when it ends, which would race what we wait for.
  const { code, stderr } = await runNode(args, { env, timeoutMs, stdin: 'pipe' });
  return { code, stderr };
}
