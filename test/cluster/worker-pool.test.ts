import type { Worker } from 'node:cluster';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SlotWorker } from '../../src/cluster/slot-worker.js';
import { WorkerPool, type PoolOptions } from '../../src/cluster/worker-pool.js';
import { STICKY_CMD } from '../../src/ipc/messages.js';
import { FakeWorker } from '../helpers/fake-worker.js';

interface Harness {
  pool: WorkerPool;
  forks: FakeWorker[];
  /** The routing events, in order: what a connection router is told. */
  log: string[];
  exits: { pid: number; restartInMs: number | null; role: string; state: string }[];
  slotWorker(fake: FakeWorker): SlotWorker;
}

function harness(options: Partial<PoolOptions> = {}): Harness {
  const forks: FakeWorker[] = [];
  const pool = new WorkerPool({
    count: 2,
    restart: { minUptimeMs: 1000, maxBackoffMs: 800 },
    drainTimeoutMs: 500,
    ...options,
    fork: (env) => {
      const w = new FakeWorker(env);
      forks.push(w);
      return w as unknown as Worker;
    },
  });
  const log: string[] = [];
  const exits: Harness['exits'] = [];
  pool.on('booting', (slot) => log.push(`booting ${slot}`));
  pool.on('bootEnded', (slot) => log.push(`bootEnded ${slot}`));
  pool.on('routable', (w) => log.push(`routable ${w.pid}`));
  pool.on('unroutable', (w) => log.push(`unroutable ${w.pid}`));
  pool.on('exit', (w, info) => exits.push({ pid: w.pid, restartInMs: info.restartInMs, role: info.role, state: w.state }));
  const slotWorker = (fake: FakeWorker): SlotWorker => pool.workers().find((w) => w.pid === fake.process.pid)!;
  return { pool, forks, log, exits, slotWorker };
}

describe('WorkerPool', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('forks one worker per slot with the slot in its env, after saying the slot is booting', () => {
    const { pool, forks, log } = harness({ env: { A: '1', STICKY_WORKER_SLOT: 'user value loses' } });
    pool.update({ env: { B: 2 } });
    pool.start();
    expect(log).toEqual(['booting 0', 'booting 1']);
    expect(forks.map((f) => f.env)).toEqual([
      { A: '1', B: 2, STICKY_WORKER_SLOT: '0', NODE_APP_INSTANCE: '0' },
      { A: '1', B: 2, STICKY_WORKER_SLOT: '1', NODE_APP_INSTANCE: '1' },
    ]);
    expect(pool.slots.map((s) => pool.stateOf(s))).toEqual(['starting', 'starting']);
  });

  it('makes a worker routable once its server is registered, and passes on its acks and counters', () => {
    const { pool, forks, log, slotWorker } = harness({ count: 1 });
    const online = vi.fn();
    const ack = vi.fn();
    pool.on('online', online);
    pool.on('ack', ack);
    pool.start();
    forks[0]!.say({ t: 'ready' });
    const w = slotWorker(forks[0]!);
    expect(log).toEqual(['booting 0', `routable ${w.pid}`]);
    expect(online).toHaveBeenCalledWith(w);
    expect(pool.stateOf(pool.slots[0]!)).toBe('online');
    forks[0]!.say({ t: 'ack', id: 7, ok: false });
    expect(ack).toHaveBeenCalledWith(w, 7, false);
    forks[0]!.say({ t: 'stats', active: 3, total: 10, misrouted: 2 });
    expect([w.active, w.total, w.misrouted, pool.misrouted]).toEqual([3, 10, 2, 2]);
  });

  it('replaces a crashed worker in the same slot after the backoff; the other slot keeps its worker', async () => {
    const { pool, forks, log, exits } = harness();
    pool.start();
    for (const f of forks) f.say({ t: 'ready' });
    const other = pool.slots[1]!.current;
    await vi.advanceTimersByTimeAsync(2000);
    forks[0]!.say({ t: 'stats', active: 1, total: 5, misrouted: 1 });
    log.length = 0;
    forks[0]!.exit(1);
    expect(log).toEqual([`unroutable ${forks[0]!.process.pid}`]);
    expect(exits).toEqual([{ pid: forks[0]!.process.pid, restartInMs: 100, role: 'current', state: 'stopped' }]);
    expect(pool.stateOf(pool.slots[0]!)).toBe('stopped');
    await vi.advanceTimersByTimeAsync(99);
    expect(forks).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(forks).toHaveLength(3);
    expect(forks[2]!.env.STICKY_WORKER_SLOT).toBe('0');
    expect(pool.slots[0]!.restarts).toBe(1);
    expect(pool.slots[1]!.current).toBe(other);
    // What the dead worker served still counts.
    expect([pool.retiredConnections, pool.misrouted]).toEqual([5, 1]);
  });

  it('doubles the delay while a slot dies young, marks it errored after three, and a worker that lived resets it', async () => {
    const { pool, forks, log, exits } = harness({ count: 1 });
    pool.start();
    forks[0]!.exit(1);
    // Never routable, so never unroutable: nothing was sent to it.
    expect(log).toEqual(['booting 0', 'bootEnded 0']);
    await vi.advanceTimersByTimeAsync(100);
    // Online but not for minUptimeMs: still dying young.
    forks[1]!.say({ t: 'ready' });
    await vi.advanceTimersByTimeAsync(500);
    forks[1]!.exit(1);
    await vi.advanceTimersByTimeAsync(200);
    forks[2]!.exit(1);
    expect(exits.map((e) => e.restartInMs)).toEqual([100, 200, 800]);
    expect(exits[2]!.state).toBe('errored');
    expect(pool.slots[0]!.errored).toBe(true);
    expect(pool.stateOf(pool.slots[0]!)).toBe('errored');
    await vi.advanceTimersByTimeAsync(800);
    expect(forks).toHaveLength(4);
    expect(pool.stateOf(pool.slots[0]!)).toBe('errored');
    forks[3]!.say({ t: 'ready' });
    expect(pool.slots[0]!.errored).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    forks[3]!.exit(1);
    expect(exits.at(-1)!.restartInMs).toBe(100);
    // bootEnded only for the first start.
    expect(log.filter((e) => e.startsWith('bootEnded'))).toEqual(['bootEnded 0']);
  });

  it('ends the boot wait at its timeout for slots still starting only', async () => {
    const { pool, forks, log } = harness();
    pool.start(3000);
    forks[0]!.say({ t: 'ready' });
    await vi.advanceTimersByTimeAsync(2999);
    expect(log.filter((e) => e.startsWith('bootEnded'))).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log.filter((e) => e.startsWith('bootEnded'))).toEqual(['bootEnded 1']);
  });

  it('gives a slot to its replacement only when promoted, then drains the worker it replaces', async () => {
    const { pool, forks, log, exits } = harness({ count: 1 });
    pool.start();
    forks[0]!.say({ t: 'ready' });
    const slot = pool.slots[0]!;
    const old = slot.current!;
    const fresh = pool.forkIncoming(slot);
    expect(() => pool.forkIncoming(slot)).toThrow(/already starting/);
    expect(fresh.slot).toBe(0);
    const settled = pool.whenSettled(fresh);
    forks[1]!.say({ t: 'ready' });
    expect(await settled).toBe(true);
    expect(slot.current).toBe(old);
    expect(log).toEqual(['booting 0', `routable ${old.pid}`]);
    let drained = false;
    const exited = pool.promote(slot).then(() => (drained = true));
    expect(log.at(-1)).toBe(`routable ${fresh.pid}`);
    expect(slot.current).toBe(fresh);
    expect(old.state).toBe('draining');
    expect(forks[0]!.received).toEqual([{ cmd: STICKY_CMD, t: 'drain', timeoutMs: 500 }]);
    await vi.advanceTimersByTimeAsync(100);
    expect(drained).toBe(false);
    forks[0]!.exit(0);
    await exited;
    expect(exits).toEqual([{ pid: old.pid, restartInMs: null, role: 'draining', state: 'stopped' }]);
    expect(forks).toHaveLength(2);
  });

  it('settles a replacement that dies before it is online as failed, leaving the slot to its worker', async () => {
    const { pool, forks } = harness({ count: 1 });
    pool.start();
    forks[0]!.say({ t: 'ready' });
    const slot = pool.slots[0]!;
    const old = slot.current;
    const settled = pool.whenSettled(pool.forkIncoming(slot));
    forks[1]!.exit(1);
    expect(await settled).toBe(false);
    expect(slot.current).toBe(old);
    expect(slot.incoming).toBeUndefined();
    expect(() => pool.promote(slot)).toThrow(/no online replacement/);
  });

  it('stops routing to a worker whose app closed its server and starts a fresh one in its slot', async () => {
    const { pool, forks, log, exits } = harness({ count: 1 });
    pool.start();
    forks[0]!.say({ t: 'ready' });
    await vi.advanceTimersByTimeAsync(1000);
    forks[0]!.say({ t: 'closing' });
    expect(log.at(-1)).toBe(`unroutable ${forks[0]!.process.pid}`);
    expect(forks).toHaveLength(2);
    expect(forks[1]!.env.STICKY_WORKER_SLOT).toBe('0');
    // Drained as in a reload: nothing else would end it.
    expect(forks[0]!.received).toEqual([{ cmd: STICKY_CMD, t: 'drain', timeoutMs: 500 }]);
    forks[0]!.exit(0);
    expect(exits[0]!.role).toBe('draining');
    expect(log.filter((e) => e.startsWith('unroutable'))).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(forks).toHaveLength(2);
  });

  it('kills a worker whose app closed its server if it outlives the drain timeout (closed workers stayed for good)', async () => {
    const { pool, forks, exits } = harness({ count: 1 });
    pool.start();
    forks[0]!.say({ t: 'ready' });
    await vi.advanceTimersByTimeAsync(1000);
    forks[0]!.say({ t: 'closing' });
    await vi.advanceTimersByTimeAsync(1499);
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(exits).toEqual([{ pid: forks[0]!.process.pid, restartInMs: null, role: 'draining', state: 'stopped' }]);
    expect(pool.workers().map((w) => w.pid)).toEqual([forks[1]!.process.pid]);
  });

  it('replaces a worker that closed its server within minUptimeMs only after the backoff (issue 12)', async () => {
    const { pool, forks } = harness({ count: 1 });
    pool.start();
    forks[0]!.say({ t: 'ready' });
    forks[0]!.say({ t: 'closing' });
    expect(forks).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(forks).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(forks).toHaveLength(2);
  });

  it('kills a worker not online within readyTimeoutMs, with the reason, and restarts it as a crash', async () => {
    const { pool, forks, exits, slotWorker } = harness({ count: 1, readyTimeoutMs: 1000 });
    pool.start();
    const w = slotWorker(forks[0]!);
    await vi.advanceTimersByTimeAsync(1000);
    expect(w.exitSignal).toBe('SIGKILL');
    expect(w.lastError?.message).toMatch(/reload\.readyTimeoutMs/);
    expect(exits[0]!.restartInMs).toBe(100);
  });

  it('stop drains every worker, SIGKILLs one that outlives the drain timeout, and restarts none', async () => {
    const { pool, forks, log } = harness();
    pool.start();
    forks[0]!.say({ t: 'ready' });
    forks[1]!.say({ t: 'ready' });
    log.length = 0;
    let stopped = false;
    const stopping = pool.stop().then(() => (stopped = true));
    expect(pool.isStopping).toBe(true);
    expect(log).toEqual(forks.map((f) => `unroutable ${f.process.pid}`));
    for (const f of forks) expect(f.received).toEqual([{ cmd: STICKY_CMD, t: 'drain', timeoutMs: 500 }]);
    forks[0]!.exit(0);
    await vi.advanceTimersByTimeAsync(1499);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(pool.workers()).toEqual([]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(forks).toHaveLength(2);
  });

  it('a worker still starting when asked to drain is drained once its server is registered', async () => {
    const { pool, forks } = harness({ count: 1 });
    pool.start();
    const stopping = pool.stop();
    expect(forks[0]!.received).toEqual([]);
    forks[0]!.say({ t: 'ready' });
    expect(forks[0]!.received).toEqual([{ cmd: STICKY_CMD, t: 'drain', timeoutMs: 500 }]);
    forks[0]!.exit(0);
    await stopping;
  });
});
