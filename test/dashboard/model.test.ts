import { describe, expect, it } from 'vitest';
import { DashboardModel, MAX_EVENTS } from '../../src/dashboard/model';
import { statusSnapshot, workerStatus } from '../helpers/status-snapshot';

describe('dashboard model', () => {
  it('groups a draining old worker under the slot of its replacement', () => {
    const model = new DashboardModel('chat', 0);
    model.applySnapshot(
      statusSnapshot({
        workers: [
          workerStatus({ slot: 1, pid: 11 }),
          workerStatus({ slot: 0, pid: 10, state: 'draining', active: 3, drainDeadlineMs: 20_000 }),
          workerStatus({ slot: 0, pid: 20, state: 'online', uptimeMs: 500 }),
        ],
      }),
      0,
    );
    const slots = model.slots();
    expect(slots.map((s) => [s.slot, s.worker.pid, s.others.map((d) => d.pid)])).toEqual([
      [0, 20, [10]],
      [1, 11, []],
    ]);
  });

  it('keeps the online worker as the slot\'s row while its replacement starts', () => {
    const model = new DashboardModel('chat', 0);
    const slot = (workers: Parameters<typeof workerStatus>[0][]) => {
      model.applySnapshot(statusSnapshot({ workers: workers.map(workerStatus) }), 0);
      const [entry] = model.slots();
      return [entry!.worker.pid, entry!.others.map((w) => w.pid)];
    };
    expect(slot([{ slot: 0, pid: 10, uptimeMs: 9_000 }, { slot: 0, pid: 20, state: 'starting', uptimeMs: 100 }])).toEqual([10, [20]]);
    expect(slot([{ slot: 0, pid: 10, uptimeMs: 9_000 }, { slot: 0, pid: 20, uptimeMs: 200 }])).toEqual([20, [10]]);
    expect(slot([{ slot: 0, pid: 10, state: 'draining' }, { slot: 0, pid: 20, state: 'errored', uptimeMs: 0 }])).toEqual([20, [10]]);
    expect(slot([{ slot: 0, pid: 10, state: 'draining' }])).toEqual([10, []]);
  });

  it('derives conn/s per worker and in total from successive snapshots', () => {
    const model = new DashboardModel('chat', 0);
    const at = (uptimeMs: number, total: number) =>
      statusSnapshot({ uptimeMs, workers: [workerStatus({ slot: 0, pid: 10, uptimeMs, total })] });
    model.applySnapshot(at(1_000, 0), 0);
    expect(model.connectionRate).toBeUndefined();
    model.applySnapshot(at(2_000, 30), 5);
    expect(model.connectionRate).toBe(30);
    expect(model.workerRate(10)).toBe(30);
  });

  it('keeps the selected slot across snapshots and moves it within bounds', () => {
    const model = new DashboardModel('chat', 0);
    const three = statusSnapshot({ workers: [0, 1, 2].map((slot) => workerStatus({ slot, pid: 100 + slot })) });
    model.applySnapshot(three, 0);
    expect(model.selectedSlot).toBe(0);
    model.moveSelection(-1);
    expect(model.selectedSlot).toBe(0);
    model.moveSelection(1);
    model.moveSelection(1);
    model.moveSelection(1);
    expect(model.selectedSlot).toBe(2);
    // A restart gives slot 2 a new pid: the selection stays on the slot.
    model.applySnapshot(statusSnapshot({ workers: [0, 1, 2].map((slot) => workerStatus({ slot, pid: 200 + slot })) }), 1);
    expect(model.selectedSlot).toBe(2);
    model.applySnapshot(statusSnapshot({ workers: [workerStatus({ slot: 0, pid: 300 })] }), 2);
    expect(model.selectedSlot).toBe(0);
  });

  it('shows each supervisor event once, whether pushed or repeated in snapshots, in time order', () => {
    const model = new DashboardModel('chat', 0);
    const crash = { time: 2_000, level: 'error' as const, kind: 'exit', message: 'worker 10 exited with code 1', slot: 0, pid: 10 };
    const start = { time: 1_000, level: 'info' as const, kind: 'start', message: 'started' };
    model.addSupervisorEvent(crash);
    model.applySnapshot(statusSnapshot({ events: [start, crash] }), 3_000);
    model.applySnapshot(statusSnapshot({ events: [start, crash] }), 4_000);
    expect(model.events.map((e) => e.text)).toEqual(['started', 'slot 0: worker 10 exited with code 1']);
    // Its own notes say what they are about.
    model.addNote('warn', 'control', 'connection lost', 5_000);
    expect(model.events.at(-1)!.text).toBe('control: connection lost');
  });

  it('keeps a bounded history and does not bring back events it dropped', () => {
    const model = new DashboardModel('chat', 0);
    const events = Array.from({ length: MAX_EVENTS + 50 }, (_, i) => ({ time: i, level: 'info' as const, kind: 'k', message: `e${i}` }));
    model.applySnapshot(statusSnapshot({ events }), 0);
    expect(model.events).toHaveLength(MAX_EVENTS);
    expect(model.events[0]!.text).toBe('e50');
    model.applySnapshot(statusSnapshot({ events }), 1);
    expect(model.events).toHaveLength(MAX_EVENTS);
    expect(model.events[0]!.text).toBe('e50');
  });

  it('strips terminal control sequences from event text', () => {
    const model = new DashboardModel('chat', 0);
    model.addNote('warn', 'console', '\x1b[31mred\x1b[0m\r\n', 0);
    expect(model.events[0]!.text).toBe('console: red  ');
  });

  it('asks before reloading and reports the outcome', () => {
    const model = new DashboardModel('chat', 0);
    model.applySnapshot(statusSnapshot(), 0);
    expect(model.answerReload(true, 0)).toBe(false);
    model.requestReload();
    expect(model.prompt.kind).toBe('confirm-reload');
    expect(model.answerReload(false, 0)).toBe(false);
    expect(model.prompt.kind).toBe('none');
    model.requestReload();
    expect(model.answerReload(true, 10)).toBe(true);
    model.requestReload();
    expect(model.prompt.kind).toBe('reloading');
    model.addReloadProgress({ slot: 0, phase: 'online', oldPid: 1, newPid: 2 }, 20);
    expect(model.prompt).toMatchObject({ kind: 'reloading', status: 'slot 0: new worker pid 2 online' });
    // The supervisor logs the steps itself; only a failed step is added here, with its reason.
    expect(model.events.map((e) => e.text)).not.toContain('reload: slot 0: new worker pid 2 online');
    model.addReloadProgress({ slot: 1, phase: 'failed', message: 'exit code 1' }, 25);
    model.reloadFinished({ error: { message: 'slot 1: new worker not ready within 10000 ms' } }, 30);
    expect(model.prompt).toMatchObject({ kind: 'notice', level: 'error', text: 'reload failed: slot 1: new worker not ready within 10000 ms' });
    expect(model.events.map((e) => e.text).slice(-2)).toEqual([
      'reload: slot 1: new worker failed, the old one keeps serving: exit code 1',
      'reload: failed: slot 1: new worker not ready within 10000 ms',
    ]);
  });

  it('reports what a completed reload replaced and what it could not apply', () => {
    const model = new DashboardModel('chat', 0);
    model.applySnapshot(statusSnapshot(), 0);
    model.requestReload();
    model.answerReload(true, 0);
    const replaced = [{ slot: 0, oldPid: 1, newPid: 3 }, { slot: 1, oldPid: 2, newPid: 4 }];
    model.reloadFinished({ result: { replaced, restartNeeded: ['port: 3000 -> 3001'], durationMs: 1_500 } }, 10);
    expect(model.prompt).toMatchObject({ kind: 'notice', level: 'info', text: 'reload complete: 2 workers replaced in 1.5s' });
    expect(model.events.map((e) => [e.level, e.text])).toContainEqual(['warn', 'reload: not applied, needs a restart: port: 3000 -> 3001']);
  });

  it('does not offer a reload while the control socket is down', () => {
    const model = new DashboardModel('chat', 0);
    model.requestReload();
    model.connectionLost('ECONNRESET', 5);
    expect(model.prompt.kind).toBe('none');
    model.requestReload();
    expect(model.prompt.kind).toBe('none');
    model.connectionRestored(6);
    model.requestReload();
    expect(model.prompt.kind).toBe('confirm-reload');
    expect(model.events.map((e) => e.kind)).toEqual(['control', 'control']);
  });
});
