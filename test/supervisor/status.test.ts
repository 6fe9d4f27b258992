// A status snapshot is one instant: everything but the workers' /proc figures is read when
// status() is called. It used to read the events and connection totals (and each row's
// counters) after awaiting /proc: early-close.test.ts saw the third worker-closed-early event
// beside rows from before it ([online, draining, draining], not errored), and scrape.test.ts
// saw per-slot totals from before a stats message beside a connections.total from after it.
import type { Worker } from 'node:cluster';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/cluster/worker-pool.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { ProcSampler, type ProcUsage } from '../../src/supervisor/proc-stats.js';
import { workerRows } from '../../src/supervisor/status.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { ROOT } from '../helpers/cli.js';
import { FakeWorker } from '../helpers/fake-worker.js';

/** A sampler whose /proc reads finish only when the test says so. */
class HeldSampler extends ProcSampler {
  private readonly held: (() => void)[] = [];

  override sample(pid: number, uptimeMs: number): Promise<ProcUsage> {
    return new Promise((resolve) => this.held.push(() => resolve(super.sample(pid, uptimeMs))));
  }

  get waiting(): number {
    return this.held.length;
  }

  release(): void {
    for (const go of this.held.splice(0)) go();
  }
}

function onlinePool(): { pool: WorkerPool; forks: FakeWorker[] } {
  const forks: FakeWorker[] = [];
  const pool = new WorkerPool({
    count: 1,
    restart: { minUptimeMs: 2000, maxBackoffMs: 15_000 },
    drainTimeoutMs: 500,
    fork: (env) => {
      const w = new FakeWorker(env);
      forks.push(w);
      return w as unknown as Worker;
    },
  });
  pool.start();
  forks[0]!.say({ t: 'ready' });
  return { pool, forks };
}

describe('workerRows', () => {
  it('gives the rows as they were when called, whatever the worker says while /proc is read', async () => {
    const { pool, forks } = onlinePool();
    const sampler = new HeldSampler();
    const rows = workerRows(pool, sampler);
    expect(sampler.waiting).toBe(1);
    forks[0]!.say({ t: 'stats', active: 0, total: 4, misrouted: 0 });
    forks[0]!.say({ t: 'closing' });
    sampler.release();
    expect((await rows).map((r) => [r.slot, r.pid, r.state, r.total])).toEqual([[0, forks[0]!.process.pid, 'online', 0]]);
    // The next call sees both: the worker draining, the slot waiting for its replacement.
    const next = workerRows(pool, sampler);
    sampler.release();
    expect((await next).map((r) => [r.state, r.total])).toEqual([['stopped', 0], ['draining', 4]]);
    const stopped = pool.stop();
    for (const f of forks) f.exit(0);
    await stopped;
  });
});

describe('Supervisor.status', () => {
  let supervisor: Supervisor | undefined;
  afterEach(async () => {
    await supervisor?.stop();
    supervisor = undefined;
  });

  it('holds no event recorded after it was asked for, though the rows are read from /proc after', async () => {
    const config = resolveConfig({ name: 'status-instant', script: path.join(ROOT, 'test/fixtures/supervisor/app.js'), workers: 2, log: { level: 'silent' } });
    supervisor = new Supervisor(config);
    supervisor.events.record('info', 'before', 'recorded before the status');
    const status = supervisor.status();
    supervisor.events.record('warn', 'after', 'recorded while the status was being read');
    const kinds = ((await status).events ?? []).map((e) => e.kind);
    expect(kinds).toContain('before');
    expect(kinds).not.toContain('after');
  });
});
