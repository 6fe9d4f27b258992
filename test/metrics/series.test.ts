// registerSeries on a fixed scrape view: every sticky_* series, per slot, summed the way
// `status --json` sums, rendered by prom-client and read back with the strict parser.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { StatusSnapshot, WorkerStatus } from '../../src/control/protocol.js';
import { DEFAULT_METRICS_PREFIX, REJECT_REASONS, registerSeries, type ScrapeView } from '../../src/metrics/series.js';
import { parseExposition, sampleValue } from '../helpers/prometheus-text.js';

function row(slot: number, pid: number, state: WorkerStatus['state'], extra: Partial<WorkerStatus> = {}): WorkerStatus {
  return { slot, pid, state, active: 0, total: 0, restarts: 0, uptimeMs: 1000, rssBytes: 0, cpuPercent: 0, ...extra };
}

const workers = [
  row(0, 101, 'online', { active: 3, total: 10, restarts: 2, rssBytes: 50_000_000, cpuPercent: 12.5 }),
  row(0, 100, 'draining', { active: 1, total: 40, restarts: 2, rssBytes: 40_000_000, cpuPercent: 0.5 }),
  row(1, 102, 'online', { active: 2, total: 7, rssBytes: 45_000_000, cpuPercent: 3 }),
  row(2, 0, 'errored', { restarts: 5 }),
];
const status: StatusSnapshot = {
  name: 'x', pid: 1, uptimeMs: 1, host: '127.0.0.1', port: 3000, routing: 'header',
  connections: { active: 6, total: 57 + 9 + 4, rejected: 6, misrouted: 4 }, workers,
};
const view: ScrapeView = {
  status,
  retiredConnections: [9, 0, 4],
  rejectedByReason: new Map([['maxPending', 1], ['not-http', 2], ['some-new-reason', 3]]),
  reloads: { started: 3, succeeded: 2, failed: 1 },
  pending: 5,
};

describe('registerSeries', async () => {
  const registry = new Registry();
  let current = view;
  const handoff = registerSeries(registry, () => current);
  handoff.observeMs(0.2);
  handoff.observeMs(30);
  const families = parseExposition(await registry.metrics());

  it('connections total per slot include the slot\'s exited workers, and sum to status connections.total', () => {
    expect([0, 1, 2].map((slot) => sampleValue(families, 'sticky_connections_total', { slot: String(slot) }))).toEqual([59, 7, 4]);
    expect(families.get('sticky_connections_total')!.samples.reduce((n, s) => n + s.value, 0)).toBe(status.connections.total);
    expect(families.get('sticky_connections_total')!.type).toBe('counter');
  });

  it('active, memory and CPU are summed over the slot\'s processes; restarts are the slot\'s', () => {
    expect(sampleValue(families, 'sticky_connections_active', { slot: '0' })).toBe(4);
    expect(sampleValue(families, 'sticky_worker_resident_memory_bytes', { slot: '0' })).toBe(90_000_000);
    expect(sampleValue(families, 'sticky_worker_cpu_percent', { slot: '0' })).toBe(13);
    expect(sampleValue(families, 'sticky_worker_restarts_total', { slot: '0' })).toBe(2);
    expect(sampleValue(families, 'sticky_worker_restarts_total', { slot: '2' })).toBe(5);
  });

  it('labels are slot, reason and state, never pid', () => {
    for (const family of families.values()) {
      if (!family.name.startsWith('sticky_') || family.name.startsWith(DEFAULT_METRICS_PREFIX)) continue;
      for (const s of family.samples) expect(Object.keys(s.labels).filter((l) => !['slot', 'reason', 'state', 'le'].includes(l))).toEqual([]);
    }
  });

  it('rejections by reason: every known reason from 0, and a reason seen that is not in the list', () => {
    const rejected = families.get('sticky_connections_rejected_total')!.samples;
    expect(rejected.map((s) => s.labels.reason)).toEqual([...REJECT_REASONS, 'some-new-reason']);
    expect(sampleValue(families, 'sticky_connections_rejected_total', { reason: 'not-http' })).toBe(2);
    expect(sampleValue(families, 'sticky_connections_rejected_total', { reason: 'timeout' })).toBe(0);
    expect(rejected.reduce((n, s) => n + s.value, 0)).toBe(status.connections.rejected);
  });

  it('workers by state (every state, empty slots included), misrouted, pending, reloads', () => {
    expect(families.get('sticky_workers')!.samples.map((s) => [s.labels.state, s.value])).toEqual([
      ['starting', 0], ['online', 2], ['draining', 1], ['stopped', 0], ['errored', 1], ['unresponsive', 0],
    ]);
    expect(sampleValue(families, 'sticky_misrouted_requests_total')).toBe(4);
    expect(sampleValue(families, 'sticky_connections_pending')).toBe(5);
    expect(sampleValue(families, 'sticky_reloads_started_total')).toBe(3);
    expect(sampleValue(families, 'sticky_reloads_succeeded_total')).toBe(2);
    expect(sampleValue(families, 'sticky_reloads_failed_total')).toBe(1);
  });

  it('the hand-off histogram and the primary\'s process metrics', () => {
    expect(sampleValue(families, 'sticky_handoff_duration_seconds_count')).toBe(2);
    expect(sampleValue(families, 'sticky_handoff_duration_seconds_bucket', { le: '0.00025' })).toBe(1);
    expect(sampleValue(families, 'sticky_handoff_duration_seconds_bucket', { le: '0.05' })).toBe(2);
    expect(families.get(`${DEFAULT_METRICS_PREFIX}process_cpu_seconds_total`)?.type).toBe('counter');
    expect(families.get(`${DEFAULT_METRICS_PREFIX}process_resident_memory_bytes`)?.type).toBe('gauge');
  });

  it('a second scrape after the view changed reports the new values, not the sum of both', async () => {
    current = { ...view, retiredConnections: [20, 0, 4], status: { ...status, workers: workers.slice(0, 3) } };
    const again = parseExposition(await registry.metrics());
    expect(sampleValue(again, 'sticky_connections_total', { slot: '0' })).toBe(70);
    // A slot without a row still reports its exited workers' connections.
    expect(sampleValue(again, 'sticky_connections_total', { slot: '2' })).toBe(4);
    expect(sampleValue(again, 'sticky_connections_active', { slot: '2' })).toBe(0);
    expect(again.get('sticky_workers')!.samples.reduce((n, s) => n + s.value, 0)).toBe(3);
  });
});
