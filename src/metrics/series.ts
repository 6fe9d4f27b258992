import { Counter, Gauge, collectDefaultMetrics, type Registry } from 'prom-client';
import type { StatusSnapshot, WorkerStatus } from '../control/protocol.js';
import { HandoffHistogram } from './handoff-histogram.js';
import type { ReloadCounts } from './slot-history.js';

/** Everything one scrape reports, read once at its start so the series agree with each other. */
export interface ScrapeView {
  status: StatusSnapshot;
  /** Per slot: connections served by its workers that have exited. */
  retiredConnections: readonly number[];
  rejectedByReason: ReadonlyMap<string, number>;
  reloads: ReloadCounts;
  pending: number;
}

const WORKER_STATES: readonly WorkerStatus['state'][] = ['starting', 'online', 'draining', 'stopped', 'errored', 'unresponsive'];
/**
 * Reasons the primary closes a connection (dispatcher and preamble reader). Reported at 0
 * before the first one, so a dashboard has its series from the start; any other reason
 * seen is reported too.
 */
export const REJECT_REASONS = [
  'maxPending', 'timeout', 'not-http', 'head-too-large', 'missing-header', 'bad-proxy-preamble', 'decoder-error',
] as const;
export const DEFAULT_METRICS_PREFIX = 'sticky_primary_';

/**
 * Registers every sticky_* series on `registry`. All but the hand-off histogram are filled
 * by collect() from `view()` at scrape time, so nothing is pushed as connections come and go.
 * Returns the histogram for the dispatcher's hand-off hook.
 */
export function registerSeries(registry: Registry, view: () => ScrapeView): HandoffHistogram {
  const registers = [registry];
  const bySlot = (name: string, help: string, type: 'counter' | 'gauge', value: (rows: WorkerStatus[], slot: number) => number): void => {
    const Kind = type === 'counter' ? Counter : Gauge;
    new Kind({
      name, help, labelNames: ['slot'], registers,
      collect(this: Counter | Gauge) {
        this.reset();
        const v = view();
        for (const [slot, rows] of rowsBySlot(v.status.workers, v.retiredConnections.length).entries()) add(this, { slot: String(slot) }, value(rows, slot));
      },
    });
  };
  const single = (name: string, help: string, type: 'counter' | 'gauge', value: (v: ScrapeView) => number): void => {
    const Kind = type === 'counter' ? Counter : Gauge;
    new Kind({
      name, help, registers,
      collect(this: Counter | Gauge) {
        this.reset();
        add(this, {}, value(view()));
      },
    });
  };

  bySlot('sticky_connections_total', 'Connections accepted by the workers of each slot, exited workers included.', 'counter',
    (rows, slot) => sum(rows, (r) => r.total) + (view().retiredConnections[slot] ?? 0));
  bySlot('sticky_connections_active', 'Connections open now in the workers of each slot.', 'gauge', (rows) => sum(rows, (r) => r.active));
  bySlot('sticky_worker_restarts_total', 'Times the slot\'s worker was restarted after it died (reloads not counted).', 'counter',
    (rows) => Math.max(0, ...rows.map((r) => r.restarts)));
  bySlot('sticky_worker_resident_memory_bytes', 'Resident memory of the slot\'s worker processes (a draining one included).', 'gauge',
    (rows) => sum(rows, (r) => r.rssBytes));
  bySlot('sticky_worker_cpu_percent', 'CPU of the slot\'s worker processes since the previous sample, in % of one core.', 'gauge',
    (rows) => sum(rows, (r) => r.cpuPercent));

  new Counter({
    name: 'sticky_connections_rejected_total',
    help: 'Connections the primary closed without handing them off, by reason.',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      const counts = view().rejectedByReason;
      for (const reason of REJECT_REASONS) this.inc({ reason }, counts.get(reason) ?? 0);
      for (const [reason, n] of counts) if (!(REJECT_REASONS as readonly string[]).includes(reason)) this.inc({ reason }, n);
    },
  });
  single('sticky_misrouted_requests_total', 'Requests whose routing key differed from their connection\'s (header mode).', 'counter',
    (v) => v.status.connections.misrouted);
  single('sticky_connections_pending', 'Connections accepted by the primary and not yet taken by a worker.', 'gauge', (v) => v.pending);

  new Gauge({
    name: 'sticky_workers',
    help: 'Worker processes by state; a slot without a process counts as stopped or errored.',
    labelNames: ['state'],
    registers,
    collect() {
      this.reset();
      for (const state of WORKER_STATES) this.set({ state }, 0);
      for (const w of view().status.workers) this.inc({ state: w.state });
    },
  });
  single('sticky_reloads_started_total', 'Rolling reloads started (sticky reload, SIGHUP, file changes, the API).', 'counter', (v) => v.reloads.started);
  single('sticky_reloads_succeeded_total', 'Rolling reloads that replaced every worker.', 'counter', (v) => v.reloads.succeeded);
  single('sticky_reloads_failed_total', 'Rolling reloads that failed (the old workers kept serving).', 'counter', (v) => v.reloads.failed);

  collectDefaultMetrics({ register: registry, prefix: DEFAULT_METRICS_PREFIX });

  const handoff = new HandoffHistogram('sticky_handoff_duration_seconds', 'Time from the primary sending a connection to a worker to the worker\'s acknowledgement.');
  registry.registerMetric(handoff.asMetric());
  return handoff;
}

/** Each slot's rows, by slot index; every slot of the pool is there, with or without a process. */
function rowsBySlot(workers: WorkerStatus[], slotCount: number): WorkerStatus[][] {
  const out: WorkerStatus[][] = Array.from({ length: slotCount }, () => []);
  for (const w of workers) (out[w.slot] ??= []).push(w);
  return Array.from(out, (rows) => rows ?? []);
}

function add(metric: Counter | Gauge, labels: Record<string, string>, value: number): void {
  if (metric instanceof Gauge) metric.set(labels, value);
  else metric.inc(labels, value);
}

function sum(rows: WorkerStatus[], of: (r: WorkerStatus) => number): number {
  let n = 0;
  for (const r of rows) n += of(r);
  return n;
}
