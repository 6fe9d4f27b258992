import { describe, expect, it } from 'vitest';
import type { WorkerStatus } from '../../src/control/protocol.js';
import { summarizeSlots } from '../../src/control/slot-summary.js';

const row = (slot: number, state: WorkerStatus['state']): WorkerStatus => ({
  slot, pid: 100 + slot, state, active: 0, total: 0, restarts: 0, uptimeMs: 0, rssBytes: 0, cpuPercent: 0,
});

describe('summarizeSlots', () => {
  it('counts slots, not rows: a replacement starting and an old worker draining are the same slot', () => {
    expect(summarizeSlots([row(0, 'online'), row(0, 'starting'), row(0, 'draining'), row(1, 'online')])).toEqual({ online: 2, total: 2 });
  });

  it('a slot down or errored is counted, not online', () => {
    expect(summarizeSlots([row(0, 'online'), row(1, 'errored'), row(2, 'stopped'), row(3, 'starting')])).toEqual({ online: 1, total: 4 });
  });

  it('a removed slot whose worker still drains (sticky scale) is not a slot', () => {
    expect(summarizeSlots([row(0, 'online'), row(1, 'online'), row(2, 'draining')])).toEqual({ online: 2, total: 2 });
    expect(summarizeSlots([])).toEqual({ online: 0, total: 0 });
  });
});
