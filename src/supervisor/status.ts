import type { Slot, WorkerPool } from '../cluster/worker-pool.js';
import type { SlotWorker } from '../cluster/slot-worker.js';
import { isOutOfMemory } from '../ipc/fatal-report.js';
import type { WorkerStatus } from '../control/protocol.js';
import type { ProcSampler } from './proc-stats.js';

/**
 * One row per worker process of every slot (current, a replacement starting beside it,
 * draining ones), and a row with pid 0 for a slot that has no process right now.
 * Everything but the /proc figures is read from the pool synchronously, when called: the
 * caller's other fields read in the same tick (events, connection totals) agree with the
 * rows, whatever changes while /proc is read.
 */
export function workerRows(pool: WorkerPool, sampler: ProcSampler): Promise<WorkerStatus[]> {
  const rows: Promise<WorkerStatus>[] = [];
  for (const slot of pool.slots) {
    if (slot.current) rows.push(row(slot, slot.current, pool.stateOf(slot), sampler));
    else rows.push(Promise.resolve(emptyRow(slot, pool.stateOf(slot))));
    if (slot.incoming) rows.push(row(slot, slot.incoming, 'starting', sampler));
    for (const w of slot.draining) rows.push(row(slot, w, 'draining', sampler));
  }
  // A removed slot's (sticky scale) last workers, until they have drained.
  for (const w of pool.leavingWorkers) rows.push(row({ index: w.slot, restarts: 0 }, w, 'draining', sampler));
  return Promise.all(rows).then((out) => {
    sampler.retain(new Set(out.map((r) => r.pid)));
    return out;
  });
}

/** The row of `w` as it is now; only rssBytes and cpuPercent come later, from /proc. */
function row(slot: Pick<Slot, 'index' | 'restarts'>, w: SlotWorker, state: WorkerStatus['state'], sampler: ProcSampler): Promise<WorkerStatus> {
  const uptimeMs = w.uptimeMs;
  const now: Omit<WorkerStatus, 'rssBytes' | 'cpuPercent'> = {
    slot: slot.index,
    pid: w.pid,
    state,
    active: w.active,
    total: w.total,
    restarts: slot.restarts,
    uptimeMs,
    ...(state === 'draining' && w.drainDeadline !== undefined ? { drainDeadlineMs: Math.max(0, w.drainDeadline - Date.now()) } : {}),
  };
  return sampler.sample(w.pid, uptimeMs).then((usage) => ({ ...now, ...usage }));
}

function emptyRow(slot: Slot, state: WorkerStatus['state']): WorkerStatus {
  return { slot: slot.index, pid: 0, state, active: 0, total: 0, restarts: slot.restarts, uptimeMs: 0, rssBytes: 0, cpuPercent: 0 };
}

/** Why a worker is gone, for logs and reload errors: how it ended, then its own error (with its stack). */
export function describeExit(w: SlotWorker, withStack = true): string {
  return `worker ${w.pid} (slot ${w.slot}) ${exitReason(w, withStack)}`;
}

/** describeExit without naming the worker: "exited with code 1: Error: ...". */
export function exitReason(w: SlotWorker, withStack = true): string {
  const why = withStack ? w.lastError?.stack ?? w.lastError?.message : w.lastError?.message;
  return `${howItEnded(w)}${why ? `: ${why}` : ''}`;
}

function howItEnded(w: SlotWorker): string {
  // A fatal error aborts (SIGABRT); the report Node wrote says which.
  if (w.fatal) {
    const said = w.fatal.event ? ` (${w.fatal.event})` : '';
    return isOutOfMemory(w.fatal)
      ? `ran out of memory${said}: its JavaScript heap reached the limit (--max-old-space-size in execArgv sets it)`
      : `died of a fatal error${said}${w.exitSignal ? `, ${w.exitSignal}` : ''}`;
  }
  if (w.exitSignal) return `was killed by ${w.exitSignal}`;
  return w.exitCode !== null ? `exited with code ${w.exitCode}` : 'ended';
}
