import type { SlotWorker } from '../cluster/slot-worker.js';
import type { WorkerPool, WorkerRole } from '../cluster/worker-pool.js';
import { StickyWorkerError } from '../errors.js';
import { exitReason } from './status.js';

export type FirstStartPool = Pick<WorkerPool, 'slots' | 'whenSettled' | 'on' | 'off'>;

/**
 * Waits for every slot's first worker to come online or fail. When none at all is online
 * within `timeoutMs` (reload.readyTimeoutMs), meanwhile restarted with backoff, it throws a
 * StickyWorkerError with the workers' errors: a start that can serve nothing fails, where
 * systemd and scripts see it, instead of retrying forever.
 */
export async function awaitFirstStart(pool: FirstStartPool, timeoutMs: number): Promise<void> {
  const failed: SlotWorker[] = [];
  const onExit = (w: SlotWorker, { role }: { role: WorkerRole }): void => {
    if (role !== 'draining') failed.push(w);
  };
  let onOnline!: () => void;
  let timer: NodeJS.Timeout | undefined;
  const anyOnline = new Promise<boolean>((resolve) => {
    onOnline = () => resolve(true);
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  pool.on('exit', onExit);
  pool.on('online', onOnline);
  try {
    await Promise.all(pool.slots.map((s) => (s.current ? pool.whenSettled(s.current) : Promise.resolve(false))));
    if (pool.slots.some((s) => s.current?.state === 'online')) return;
    if (await anyOnline) return;
    throw new StickyWorkerError(describeFailedStart(failed, pool.slots.map((s) => s.current), timeoutMs));
  } finally {
    clearTimeout(timer);
    pool.off('exit', onExit);
    pool.off('online', onOnline);
  }
}

/** One paragraph per distinct error, with the slots that had it, so N slots failing alike print it once. */
export function describeFailedStart(failed: readonly SlotWorker[], starting: readonly (SlotWorker | undefined)[], timeoutMs: number): string {
  const groups = new Map<string, { slots: Set<number>; count: number }>();
  for (const w of failed) {
    const reason = exitReason(w);
    const group = groups.get(reason) ?? { slots: new Set<number>(), count: 0 };
    group.slots.add(w.slot);
    group.count++;
    groups.set(reason, group);
  }
  const lines = [`no worker came online within ${timeoutMs} ms (reload.readyTimeoutMs), so nothing can be served; stopped.`];
  for (const [reason, { slots, count }] of groups) {
    const which = `${slots.size === 1 ? 'slot' : 'slots'} ${[...slots].sort((a, b) => a - b).join(', ')}`;
    lines.push(`${which}${count > slots.size ? ` (${count} attempts)` : ''}: ${reason.replace(/\n/g, '\n    ')}`);
  }
  const stillStarting = starting.filter((w): w is SlotWorker => w !== undefined && w.state === 'starting');
  for (const w of stillStarting) lines.push(`slot ${w.slot}: worker ${w.pid} was still starting`);
  if (groups.size === 0 && stillStarting.length === 0) lines.push('no worker reported an error');
  return lines.join('\n');
}
