// A scrape's per-slot connection total adds the rows of one status to the connections of the
// slot's exited workers. Both must be of one instant: the exporter read the exited ones after
// awaiting the status, so a worker that exited while the status read /proc was counted twice
// (its row and its exit). scrape.test.ts saw a slot's total 4 over its own sum.
import http from 'node:http';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/control/protocol.js';
import { MetricsExporter, type MetricsSource } from '../../src/metrics/index.js';
import { parseExposition, sampleValue } from '../helpers/prometheus-text.js';
import { statusSnapshot, workerStatus } from '../helpers/status-snapshot.js';

function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/metrics', agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body));
    }).on('error', reject).on('timeout', function (this: http.ClientRequest) {
      this.destroy(new Error('scrape timed out'));
    });
  });
}

describe('MetricsExporter', () => {
  it('reads the exited workers\' connections in the same instant as the status, not after its /proc reads', async () => {
    const pool = Object.assign(new EventEmitter(), { slots: [{ index: 0 }] });
    const worker = { slot: 0, pid: 4001, total: 5 };
    let finishStatus!: (s: StatusSnapshot) => void;
    let asked!: () => void;
    const statusAsked = new Promise<void>((resolve) => (asked = resolve));
    const source = {
      // The pool as status() read it: worker 4001 alive with 5 connections; /proc comes later.
      status: () => {
        asked();
        return new Promise<StatusSnapshot>((resolve) => (finishStatus = resolve));
      },
      balancer: { pool, dispatcher: { rejectedByReason: new Map<string, number>(), onHandoff: undefined }, pendingCount: 0 },
      events: { subscribe: () => () => {} },
    } as unknown as MetricsSource;
    const exporter = await MetricsExporter.open({ host: '127.0.0.1', port: 0 }, source, (err) => {
      throw err;
    });
    try {
      const body = scrape(exporter.address.port);
      await statusAsked;
      // It exits while /proc is read.
      pool.emit('exit', worker);
      finishStatus(statusSnapshot({ workers: [workerStatus({ slot: 0, pid: worker.pid, total: worker.total })] }));
      const families = parseExposition(await body);
      expect(sampleValue(families, 'sticky_connections_total', { slot: '0' })).toBe(5);
    } finally {
      await exporter.close();
    }
  });
});
