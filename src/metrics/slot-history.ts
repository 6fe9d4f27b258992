import type { WorkerPool } from '../cluster/worker-pool.js';
import type { SupervisorEvent } from '../control/protocol.js';

export interface ReloadCounts {
  started: number;
  succeeded: number;
  failed: number;
}

/** The event kinds the supervisor records for a reload (see Supervisor.runReload). */
const RELOAD_KINDS: Readonly<Record<string, keyof ReloadCounts>> = {
  reload: 'started',
  'reload-done': 'succeeded',
  'reload-failed': 'failed',
};

/**
 * What the status snapshot forgets: connections served by a slot's exited workers (status
 * keeps one all-slot total) and how many reloads ran. Counted as the rare events happen
 * (exits, reloads), never per connection.
 */
export class SlotHistory {
  readonly retiredConnections: number[];
  readonly reloads: ReloadCounts = { started: 0, succeeded: 0, failed: 0 };

  constructor(pool: Pick<WorkerPool, 'on' | 'slots'>) {
    this.retiredConnections = pool.slots.map(() => 0);
    // The pool adds the same `w.total` to its own retiredConnections just before emitting.
    pool.on('exit', (w) => {
      this.retiredConnections[w.slot] = (this.retiredConnections[w.slot] ?? 0) + w.total;
    });
  }

  /** Feed of the supervisor's events (EventLog.subscribe). */
  readonly onEvent = (e: SupervisorEvent): void => {
    const which = RELOAD_KINDS[e.kind];
    if (which !== undefined) this.reloads[which]++;
  };
}
