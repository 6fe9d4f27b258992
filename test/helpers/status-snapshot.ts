import type { StatusSnapshot, WorkerStatus } from '../../src/control/protocol';

/** A worker status with plausible defaults; tests override what they are about. */
export function workerStatus(fields: Partial<WorkerStatus> & Pick<WorkerStatus, 'slot' | 'pid'>): WorkerStatus {
  return {
    state: 'online',
    active: 0,
    total: 0,
    restarts: 0,
    uptimeMs: 10_000,
    rssBytes: 50 * 1024 * 1024,
    cpuPercent: 1.5,
    ...fields,
  };
}

/** A status snapshot in the documented schema; `workers` defaults to two online slots. */
export function statusSnapshot(fields: Partial<StatusSnapshot> = {}): StatusSnapshot {
  const workers = fields.workers ?? [workerStatus({ slot: 0, pid: 2001 }), workerStatus({ slot: 1, pid: 2002 })];
  const active = workers.reduce((sum, w) => sum + w.active, 0);
  const total = workers.reduce((sum, w) => sum + w.total, 0);
  return {
    name: 'chat',
    pid: 1000,
    uptimeMs: 10_000,
    host: '127.0.0.1',
    port: 3000,
    routing: 'ip',
    connections: { active, total, rejected: 0, misrouted: 0 },
    ...fields,
    workers,
  };
}
