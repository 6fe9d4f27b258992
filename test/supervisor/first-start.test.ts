import { describe, expect, it } from 'vitest';
import type { SlotWorker } from '../../src/cluster/slot-worker.js';
import { describeFailedStart } from '../../src/supervisor/first-start.js';

function dead(slot: number, pid: number, fields: Partial<SlotWorker>): SlotWorker {
  return { slot, pid, exitCode: null, exitSignal: null, lastError: undefined, fatal: undefined, state: 'stopped', ...fields } as SlotWorker;
}

describe('describeFailedStart', () => {
  it('prints each distinct error once, with the slots that had it and how many attempts', () => {
    const boom = { message: 'boom', stack: 'Error: boom\n    at server.js:1:7' };
    const text = describeFailedStart([
      dead(0, 1, { exitCode: 1, lastError: boom }),
      dead(1, 2, { exitCode: 1, lastError: boom }),
      dead(0, 3, { exitCode: 1, lastError: boom }),
      dead(2, 4, { exitSignal: 'SIGKILL', lastError: { message: 'not online within 500 ms (reload.readyTimeoutMs)' } }),
    ], [], 500);
    expect(text).toBe([
      'no worker came online within 500 ms (reload.readyTimeoutMs), so nothing can be served; stopped.',
      'slots 0, 1 (3 attempts): exited with code 1: Error: boom\n        at server.js:1:7',
      'slot 2: was killed by SIGKILL: not online within 500 ms (reload.readyTimeoutMs)',
    ].join('\n'));
  });

  it('names workers still starting, and says so when nobody reported anything', () => {
    const starting = { slot: 0, pid: 9, state: 'starting' } as SlotWorker;
    expect(describeFailedStart([], [starting, undefined], 100)).toContain('slot 0: worker 9 was still starting');
    expect(describeFailedStart([], [undefined], 100)).toContain('no worker reported an error');
  });

  it('an out-of-memory death reads as one', () => {
    const text = describeFailedStart([
      dead(0, 5, { exitSignal: 'SIGABRT', fatal: { trigger: 'OOMError', event: 'Allocation failed - JavaScript heap out of memory' } }),
    ], [], 100);
    expect(text).toContain('slot 0: ran out of memory (Allocation failed - JavaScript heap out of memory)');
    expect(text).not.toContain('SIGABRT');
  });
});
