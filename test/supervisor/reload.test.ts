import { describe, expect, it } from 'vitest';
import type { ReloadProgress, ReloadResult } from '../../src/control/protocol.js';
import { StickyReloadError } from '../../src/errors.js';
import { rollingReload, type ReloadablePool } from '../../src/supervisor/reload.js';
import { ReloadQueue } from '../../src/supervisor/reload-queue.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: Error): void;
  settled: boolean;
}

function deferred<T>(): Deferred<T> {
  const d = { settled: false } as Deferred<T>;
  d.promise = new Promise<T>((resolve, reject) => {
    d.resolve = (v) => { d.settled = true; resolve(v); };
    d.reject = (e) => { d.settled = true; reject(e); };
  });
  return d;
}

/** Lets every pending promise callback run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface FakeWorker {
  pid: number;
  slot: number;
  exitCode: number | null;
  exitSignal: string | null;
  lastError?: Error;
}

/**
 * The pool as rollingReload sees it: each fork gets a pid, settles when the test says, and
 * each promote's old worker exits when the test says.
 */
class FakePool {
  readonly slots: { index: number; current?: FakeWorker; incoming?: FakeWorker }[];
  isStopping = false;
  readonly log: string[] = [];
  readonly settling = new Map<number, Deferred<boolean>>();
  readonly exits = new Map<number, Deferred<void>>();
  private nextPid = 100;

  constructor(slots: number, withWorkers = true) {
    this.slots = Array.from({ length: slots }, (_, index) => ({ index, current: withWorkers ? this.worker(index) : undefined }));
  }

  forkIncoming(slot: { index: number; incoming?: FakeWorker }): FakeWorker {
    const w = this.worker(slot.index);
    slot.incoming = w;
    this.log.push(`fork ${slot.index}:${w.pid}`);
    this.settling.set(w.pid, deferred());
    return w;
  }

  whenSettled(w: FakeWorker): Promise<boolean> {
    return this.settling.get(w.pid)!.promise;
  }

  promote(slot: { index: number; current?: FakeWorker; incoming?: FakeWorker }): Promise<void> {
    const old = slot.current;
    slot.current = slot.incoming;
    slot.incoming = undefined;
    this.log.push(`promote ${slot.index}:${slot.current!.pid}`);
    if (!old) return Promise.resolve();
    const exit = deferred<void>();
    this.exits.set(old.pid, exit);
    return exit.promise;
  }

  /** The new worker of `slot` is online (true) or died before it (false). */
  settle(slot: number, online: boolean): void {
    const w = this.slots[slot]!.incoming!;
    if (!online) {
      w.exitCode = 1;
      w.lastError = new Error('boom at boot');
    }
    this.settling.get(w.pid)!.resolve(online);
  }

  asPool(): ReloadablePool {
    return this as unknown as ReloadablePool;
  }

  private worker(slot: number): FakeWorker {
    return { pid: this.nextPid++, slot, exitCode: null, exitSignal: null };
  }
}

function phases(events: ReloadProgress[]): string[] {
  return events.map((p) => `${p.slot}:${p.phase}`);
}

describe('rollingReload', () => {
  it('replaces slot after slot, without waiting for a drain, and resolves once every old worker exited', async () => {
    const pool = new FakePool(2);
    const [old0, old1] = pool.slots.map((s) => s.current!.pid);
    const events: ReloadProgress[] = [];
    let result: unknown;
    const done = rollingReload(pool.asPool(), (p) => events.push(p)).then((r) => (result = r));
    await flush();
    pool.settle(0, true);
    await flush();
    // Slot 1 forks while slot 0's old worker is still draining.
    expect(pool.log).toEqual(['fork 0:102', 'promote 0:102', 'fork 1:103']);
    pool.settle(1, true);
    await flush();
    pool.exits.get(old1!)!.resolve();
    await flush();
    expect(result).toBeUndefined();
    pool.exits.get(old0!)!.resolve();
    await done;
    expect(result).toEqual([
      { slot: 0, oldPid: old0, newPid: 102 },
      { slot: 1, oldPid: old1, newPid: 103 },
    ]);
    expect(phases(events)).toEqual(['0:forking', '0:online', '0:draining', '1:forking', '1:online', '1:draining', '1:drained', '0:drained']);
  });

  it('leaves the old worker serving when its replacement fails, and touches no later slot', async () => {
    const pool = new FakePool(3);
    const [old0, old1] = pool.slots.map((s) => s.current!.pid);
    const events: ReloadProgress[] = [];
    const done = rollingReload(pool.asPool(), (p) => events.push(p));
    done.catch(() => {});
    await flush();
    pool.settle(0, true);
    await flush();
    pool.settle(1, false);
    await flush();
    expect(pool.log).toEqual(['fork 0:103', 'promote 0:103', 'fork 1:104']);
    expect(pool.slots[1]!.current!.pid).toBe(old1);
    // The reload still waits for slot 0's drain before it answers.
    let failed = false;
    done.catch(() => (failed = true));
    await flush();
    expect(failed).toBe(false);
    pool.exits.get(old0!)!.resolve();
    const err = await done.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StickyReloadError);
    expect((err as Error).message).toBe(
      `reload failed at slot 1: worker 104 (slot 1) exited with code 1: ${(pool.slots[1]!.incoming!.lastError!).stack}\n` +
      `worker ${old1} keeps serving slot 1; 1 later slot(s) not touched`,
    );
    expect(events.find((p) => p.phase === 'failed')).toMatchObject({ slot: 1, oldPid: old1, newPid: 104 });
    expect(phases(events)).toEqual(['0:forking', '0:online', '0:draining', '1:forking', '1:failed', '0:drained']);
  });

  it('says a slot stays down when it had no worker and its new one fails', async () => {
    const pool = new FakePool(1, false);
    const done = rollingReload(pool.asPool(), () => {});
    await flush();
    pool.settle(0, false);
    await expect(done).rejects.toThrow(/slot 0 stays down$/);
  });

  it('brings up a slot that had no worker, with nothing to drain', async () => {
    const pool = new FakePool(1, false);
    const events: ReloadProgress[] = [];
    const done = rollingReload(pool.asPool(), (p) => events.push(p));
    await flush();
    pool.settle(0, true);
    expect(await done).toEqual([{ slot: 0, oldPid: undefined, newPid: 100 }]);
    expect(phases(events)).toEqual(['0:forking', '0:online']);
  });

  it('stops between slots once the pool is stopping', async () => {
    const pool = new FakePool(2);
    const done = rollingReload(pool.asPool(), () => {});
    done.catch(() => {});
    await flush();
    pool.isStopping = true;
    pool.settle(0, false);
    await expect(done).rejects.toThrow('reload interrupted: the supervisor is stopping');
    expect(pool.log).toEqual(['fork 0:102']);
  });
});

/** A runner whose every run waits for the test to finish it. */
class FakeRunner {
  readonly runs: { trigger: string; progress: (p: ReloadProgress) => void; end: Deferred<ReloadResult> }[] = [];
  readonly run = (trigger: string, progress: (p: ReloadProgress) => void): Promise<ReloadResult> => {
    const end = deferred<ReloadResult>();
    this.runs.push({ trigger, progress, end });
    return end.promise;
  };
}

const result = (n: number): ReloadResult => ({ replaced: [], restartNeeded: [], durationMs: n });

describe('ReloadQueue', () => {
  it('runs a lone request once', async () => {
    const runner = new FakeRunner();
    const queue = new ReloadQueue(runner.run);
    const p = queue.request('api');
    await flush();
    expect(runner.runs.map((r) => r.trigger)).toEqual(['api']);
    runner.runs[0]!.end.resolve(result(1));
    expect(await p).toEqual(result(1));
  });

  it('turns any number of requests made during a run into one more run, which they share', async () => {
    const runner = new FakeRunner();
    const queue = new ReloadQueue(runner.run);
    const first = queue.request('watch');
    await flush();
    const seen: string[] = [];
    const second = queue.request('SIGHUP', (p) => seen.push(`second ${p.phase}`));
    const third = queue.request('control', (p) => seen.push(`third ${p.phase}`));
    const fourth = queue.request('watch');
    expect(third).toBe(second);
    expect(fourth).toBe(second);
    await flush();
    expect(runner.runs).toHaveLength(1);
    runner.runs[0]!.end.resolve(result(1));
    expect(await first).toEqual(result(1));
    await flush();
    expect(runner.runs.map((r) => r.trigger)).toEqual(['watch', 'SIGHUP']);
    runner.runs[1]!.progress({ slot: 0, newPid: 1, phase: 'forking' });
    expect(seen).toEqual(['second forking', 'third forking']);
    runner.runs[1]!.end.resolve(result(2));
    expect(await second).toEqual(result(2));
    await flush();
    expect(runner.runs).toHaveLength(2);
  });

  it('queues a request made during the queued run behind it', async () => {
    const runner = new FakeRunner();
    const queue = new ReloadQueue(runner.run);
    void queue.request('a');
    await flush();
    const b = queue.request('b');
    runner.runs[0]!.end.resolve(result(1));
    await flush();
    expect(runner.runs).toHaveLength(2);
    const c = queue.request('c');
    expect(c).not.toBe(b);
    runner.runs[1]!.end.resolve(result(2));
    await flush();
    expect(runner.runs.map((r) => r.trigger)).toEqual(['a', 'b', 'c']);
    runner.runs[2]!.end.resolve(result(3));
    expect(await c).toEqual(result(3));
  });

  it('still runs the queued reload after a failed one, and starts afresh once idle', async () => {
    const runner = new FakeRunner();
    const queue = new ReloadQueue(runner.run);
    const failing = queue.request('a');
    await flush();
    const next = queue.request('b');
    runner.runs[0]!.end.reject(new StickyReloadError('reload failed at slot 0'));
    await expect(failing).rejects.toThrow('reload failed at slot 0');
    await flush();
    expect(runner.runs).toHaveLength(2);
    runner.runs[1]!.end.resolve(result(2));
    expect(await next).toEqual(result(2));
    const later = queue.request('c');
    await flush();
    expect(runner.runs).toHaveLength(3);
    runner.runs[2]!.end.resolve(result(3));
    expect(await later).toEqual(result(3));
  });

  it('gives a listener only the progress of the run it joined', async () => {
    const runner = new FakeRunner();
    const queue = new ReloadQueue(runner.run);
    const firstSeen: string[] = [];
    void queue.request('a', (p) => firstSeen.push(p.phase));
    await flush();
    void queue.request('b', () => {});
    runner.runs[0]!.progress({ slot: 0, newPid: 1, phase: 'online' });
    runner.runs[0]!.end.resolve(result(1));
    await flush();
    runner.runs[1]!.progress({ slot: 0, newPid: 2, phase: 'forking' });
    expect(firstSeen).toEqual(['online']);
  });
});
