// The scrape endpoint on a real socket: the one path, the two methods, a failing scrape,
// and a port already taken (the start fails naming metrics.port).
import http from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { listenMetrics, metricsServer } from '../../src/metrics/server.js';
import { StickySetupError } from '../../src/errors.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, method: string, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('metricsServer', () => {
  const errors: Error[] = [];
  let fail = false;
  const body = '# TYPE x gauge\nx 1\n';
  const server = metricsServer(async () => {
    if (fail) throw new Error('status failed');
    return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body };
  }, (err) => errors.push(err));
  const blocker: Server = createServer();
  afterAll(() => {
    server.close();
    blocker.close();
  });

  it('listens on 127.0.0.1 port 0: a free port', async () => {
    const address = await listenMetrics(server, '127.0.0.1', 0, (err) => errors.push(err));
    expect(address.address).toBe('127.0.0.1');
    expect(address.port).toBeGreaterThan(0);
  });

  it('GET /metrics (with a query string) answers the exposition; HEAD the same headers and no body', async () => {
    const { port } = server.address() as AddressInfo;
    const get = await request(port, 'GET', '/metrics?name[]=x');
    expect(get).toMatchObject({ status: 200, body });
    expect(get.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const head = await request(port, 'HEAD', '/metrics');
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(head.headers['content-length']).toBe(String(body.length));
  });

  it('404 for any other path, 405 (Allow: GET, HEAD) for any other method', async () => {
    const { port } = server.address() as AddressInfo;
    for (const path of ['/', '/metrics/', '/metricsx', '/favicon.ico']) expect((await request(port, 'GET', path)).status).toBe(404);
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const r = await request(port, method, '/metrics');
      expect(r.status).toBe(405);
      expect(r.headers.allow).toBe('GET, HEAD');
    }
  });

  it('a scrape that throws answers 500 and is reported', async () => {
    const { port } = server.address() as AddressInfo;
    fail = true;
    expect((await request(port, 'GET', '/metrics')).status).toBe(500);
    fail = false;
    expect(errors.map((e) => e.message)).toEqual(['status failed']);
    expect((await request(port, 'GET', '/metrics')).status).toBe(200);
  });

  it('host ::1: IPv6 loopback only', async () => {
    const v6 = metricsServer(async () => ({ contentType: 'text/plain', body: 'x 1\n' }), (err) => errors.push(err));
    try {
      const address = await listenMetrics(v6, '::1', 0, (err) => errors.push(err));
      expect(address).toMatchObject({ address: '::1', family: 'IPv6' });
      const body = await new Promise<string>((resolve, reject) => {
        http.get({ host: '::1', port: address.port, path: '/metrics', agent: false, timeout: 10_000 }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(body).toBe('x 1\n');
    } finally {
      v6.close();
    }
  });

  it('a port in use: a StickySetupError naming metrics.port and the address', async () => {
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as AddressInfo).port)));
    const second = metricsServer(async () => ({ contentType: 'text/plain', body: '' }), (err) => errors.push(err));
    const attempt = listenMetrics(second, '127.0.0.1', port, (err) => errors.push(err));
    await expect(attempt).rejects.toThrow(StickySetupError);
    await expect(attempt).rejects.toThrow(new RegExp(`^cannot serve metrics on 127\\.0\\.0\\.1:${port} \\(metrics\\.port, metrics\\.host\\): listen EADDRINUSE`));
    expect(second.listening).toBe(false);
    // Reported once, as the start's failure, not also as a running server's error.
    expect(errors.map((e) => e.message)).toEqual(['status failed']);
  });
});
