import http from 'node:http';
import https from 'node:https';
import { io, type Socket as ClientSocket } from 'socket.io-client';

export interface Served {
  pid: number;
  slot: string;
  workerId: string;
  remote: string;
}

/** One GET on a fresh connection from `localAddress` (agent: false: no pooling). */
export function get(port: number, localAddress: string, options: { host?: string; path?: string; tls?: boolean; family?: number } = {}): Promise<Served> {
  return new Promise((resolve, reject) => {
    const mod = options.tls ? https : http;
    const req = mod.request({
      host: options.host ?? '127.0.0.1',
      port,
      path: options.path ?? '/',
      localAddress,
      family: options.family,
      agent: false,
      rejectUnauthorized: false,
      timeout: 10_000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as Served);
        } catch (err) {
          reject(new Error(`bad body ${res.statusCode}: ${body}`, { cause: err }));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** A socket.io client that only polls, from its own source address, without keep-alive pooling. */
export function pollingClient(url: string, localAddress: string, extra: Record<string, unknown> = {}): ClientSocket {
  const agent = url.startsWith('https')
    ? new https.Agent({ keepAlive: false, localAddress, rejectUnauthorized: false })
    : new http.Agent({ keepAlive: false, localAddress });
  return io(url, {
    transports: ['polling'],
    agent: agent as unknown as string,
    reconnection: false,
    timeout: 10_000,
    forceNew: true,
    rejectUnauthorized: false,
    ...extra,
  });
}

export function connected(socket: ClientSocket, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    const timer = setTimeout(() => reject(new Error('socket.io connect timed out')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Emits `whoami` and resolves with the worker's answer (ack). */
export function whoami(socket: ClientSocket, timeoutMs = 10_000): Promise<Served> {
  return socket.timeout(timeoutMs).emitWithAck('whoami') as Promise<Served>;
}

/** n distinct loopback source addresses, 127.0.0.2 onwards (start skips the first ones). */
export function loopbackAddresses(n: number, start = 0): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.${Math.floor((start + i) / 250)}.${((start + i) % 250) + 2}`);
}

/**
 * A client that asks all along (a fresh connection each time, addresses in turn) until
 * `stop()`, which resolves with how many answers came and every error: "served throughout".
 */
export function askAllAlong(port: number, addresses: string[], pauseMs = 0): { stop(): Promise<{ served: number; errors: string[] }> } {
  const errors: string[] = [];
  let served = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        await get(port, addresses[served % addresses.length]!);
        served++;
      } catch (err) {
        errors.push(String(err));
      }
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { served, errors };
    },
  };
}
