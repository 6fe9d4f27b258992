import type { WorkerPool } from '../cluster/worker-pool.js';
import type { ReloadProgress, ReloadResult } from '../control/protocol.js';
import { StickyReloadError, StickyWorkerError } from '../errors.js';
import { describeExit } from './status.js';

export type ReplacedWorker = ReloadResult['replaced'][number];

/** What a rolling reload needs of the pool. */
export type ReloadablePool = Pick<WorkerPool, 'slots' | 'isStopping' | 'forkIncoming' | 'whenSettled' | 'promote'>;

/**
 * Replaces every slot's worker, one slot at a time: fork the new one, wait until it is
 * online, route the slot to it, drain the old one, and go on to the next slot without
 * waiting for that drain. Resolves once every old worker has exited. A new worker that
 * fails (crash, or not online within readyTimeoutMs) is killed, its slot keeps its old
 * worker, the slots after it are not touched, and the reload rejects with its error.
 */
export async function rollingReload(pool: ReloadablePool, progress: (p: ReloadProgress) => void): Promise<ReplacedWorker[]> {
  const replaced: ReplacedWorker[] = [];
  const drains: Promise<void>[] = [];
  let failure: StickyReloadError | undefined;
  for (const slot of pool.slots) {
    if (pool.isStopping) {
      failure = new StickyReloadError('reload interrupted: the supervisor is stopping');
      break;
    }
    const oldPid = slot.current?.pid;
    const fresh = pool.forkIncoming(slot);
    const step = { slot: slot.index, oldPid, newPid: fresh.pid };
    progress({ ...step, phase: 'forking' });
    if (!(await pool.whenSettled(fresh))) {
      if (pool.isStopping) {
        failure = new StickyReloadError('reload interrupted: the supervisor is stopping');
        break;
      }
      const why = describeExit(fresh);
      progress({ ...step, phase: 'failed', message: why });
      const untouched = pool.slots.length - slot.index - 1;
      failure = new StickyReloadError(
        `reload failed at slot ${slot.index}: ${why}\n` +
        `${oldPid ? `worker ${oldPid} keeps serving slot ${slot.index}` : `slot ${slot.index} stays down`}` +
        `${untouched > 0 ? `; ${untouched} later slot(s) not touched` : ''}`,
        { cause: new StickyWorkerError(why) },
      );
      break;
    }
    progress({ ...step, phase: 'online' });
    const old = slot.current;
    const exited = pool.promote(slot);
    if (old) {
      progress({ ...step, phase: 'draining' });
      drains.push(exited.then(() => progress({ ...step, phase: 'drained' })));
    }
    replaced.push(step);
  }
  await Promise.all(drains);
  if (failure) throw failure;
  return replaced;
}
