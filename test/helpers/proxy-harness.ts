/** Starting routing fixtures and talking to them the way real clients do (no pooling). */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

import { waitFor } from './wait-for.js';
import { parseStatusBytes } from '../../src/supervisor/proc-stats.js';

export { waitFor };
export { fdCount, isAlive } from './processes.js';
export { selfSignedCert } from './tls.js';

export const FIXTURES = path.resolve(__dirname, '../fixtures');

export interface FixtureStatus {
  pid: number;
  routing: string;
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
export function startFixture(script: string, env: Record<string, string>, timeoutMs = 15_000, nodeArgs: string[] = []): Promise<Fixture> {
  const proc = spawn(process.execPath, [...nodeArgs, path.join(FIXTURES, script)], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  const waiters: ((line: Record<string, unknown>) => boolean)[] = [];
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    let nl;
    while ((nl = out.indexOf('\n')) !== -1) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      let msg: Record<string, unknown>;
      try { msg = JSON.parse(line) as Record<string, unknown>; } catch { continue; }
      const i = waiters.findIndex((w) => w(msg));
      if (i !== -1) waiters.splice(i, 1);
    }
  });
  const next = <T>(t: string, ms: number): Promise<T> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fixture ${script}: no ${t} line in ${ms} ms; stderr:\n${err}`)), ms);
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`fixture ${script} exited (${code}) before ${t}; stderr:\n${err}`)); });
    waiters.push((m) => {
      if (m.t !== t) return false;
      clearTimeout(timer);
      resolve(m as T);
      return true;
    });
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return next<{ pid: number; port: number }>('ready', timeoutMs).then((ready) => ({
    proc,
    pid: ready.pid,
    port: ready.port,
    stderr: () => err,
    status: () => {
      const p = next<FixtureStatus>('status', 5000);
      proc.stdin!.write('status\n');
      return p;
    },
    gcStatus: () => {
      const p = next<FixtureStatus>('status', 5000);
      proc.stdin!.write('gc-status\n');
      return p;
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      // Workers exit on their own when the primary's IPC channel closes.
      process.kill(ready.pid, 'SIGKILL');
      await exited;
    },
  }), (e: unknown) => {
    if (proc.pid !== undefined && proc.exitCode === null) process.kill(proc.pid, 'SIGKILL');
    throw e;
  });
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
export function parseResponses(raw: Buffer): { status: number; body: string }[] {
  const out: { status: number; body: string }[] = [];
  let at = 0;
  while (at < raw.length) {
    const end = raw.indexOf('\r\n\r\n', at);
    if (end === -1) break;
    const head = raw.toString('latin1', at, end);
    const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(head)?.[1]);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    out.push({ status, body: raw.toString('utf8', end + 4, end + 4 + length) });
    at = end + 4 + length;
  }
  return out;
}

export function rssBytes(pid: number): number {
  return parseStatusBytes(readFileSync(`/proc/${pid}/status`, 'utf8')) ?? 0;
}

/** Runs a process to its exit and returns what it printed (for config errors). */
export function runToExit(args: string[], env: Record<string, string> = {}, timeoutMs = 10_000): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    // stdin stays open: the routing fixtures stop when it ends, which would race what we wait for.
    const proc = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => { process.kill(proc.pid!, 'SIGKILL'); reject(new Error(`still running after ${timeoutMs} ms; stderr:\n${stderr}`)); }, timeoutMs);
    // 'close', not 'exit': a worker sharing the stderr pipe may still be writing its last words.
    proc.on('close', (code) => { clearTimeout(timer); resolve({ code, stderr }); });
  });
}
