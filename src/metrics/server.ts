import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StickySetupError } from '../errors.js';

export const METRICS_PATH = '/metrics';

export interface Exposition {
  contentType: string;
  body: string;
}

/**
 * The scrape endpoint: GET or HEAD /metrics, 404 for any other path, 405 for any other
 * method. A scrape that throws answers 500 and is reported through `onError`.
 */
export function metricsServer(scrape: () => Promise<Exposition>, onError: (err: Error) => void): Server {
  const server = createServer((req, res) => {
    void answer(req, res, scrape).catch((err: unknown) => {
      onError(err instanceof Error ? err : new Error(String(err)));
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('scrape failed\n');
    });
  });
  return server;
}

async function answer(req: IncomingMessage, res: ServerResponse, scrape: () => Promise<Exposition>): Promise<void> {
  const path = (req.url ?? '').split('?', 1)[0];
  if (path !== METRICS_PATH) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: metrics are at ${METRICS_PATH}\n`);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('only GET and HEAD\n');
    return;
  }
  const { contentType, body } = await scrape();
  res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Listens on `host:port` (0 = any free port); a refused listen names the config keys. Errors
 * after that go to `onError`: a failing metrics server must not crash the primary.
 */
export function listenMetrics(server: Server, host: string, port: number, onError: (err: Error) => void): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onListenError = (err: Error): void => {
      server.off('listening', onListening);
      reject(new StickySetupError(`cannot serve metrics on ${host}:${port} (metrics.port, metrics.host): ${err.message}`, { cause: err }));
    };
    const onListening = (): void => {
      server.off('error', onListenError);
      server.on('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onListenError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
