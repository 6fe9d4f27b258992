import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Dispatcher } from '../../src/balancer/dispatcher.js';
import { FakeHandle, FakeTarget, keyRanker } from '../helpers/fake-handle.js';

// Issue 12, finding 1, at the dispatcher's seam: a worker that never answers must not hold
// its slot's connections (or everybody's maxPending) for good.

const SLOTS = 3;
const SEED = 7;
const TIMEOUT_MS = 1000;
const keyRanked = keyRanker(SLOTS, SEED);

function setup(maxPending = 100): { d: Dispatcher; t: FakeTarget[] } {
  const d = new Dispatcher({ slotCount: SLOTS, seed: SEED, maxPending, handoffTimeoutMs: TIMEOUT_MS });
  const t = Array.from({ length: SLOTS }, (_, i) => new FakeTarget(i));
  for (const x of t) d.setTarget(x);
  return { d, t };
}

describe('Dispatcher hand-off timeout', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends an unanswered hand-off, and those queued behind it, to the key\'s next slot', () => {
    const { d, t } = setup();
    const key = keyRanked(1, 2);
    const handles = [new FakeHandle(), new FakeHandle(), new FakeHandle()];
    for (const h of handles) d.dispatch(h, key);
    expect(t[1]!.sent).toHaveLength(1);
    expect(t[1]!.sent[0]!.msg.by).toBe(Date.now() + TIMEOUT_MS);
    vi.advanceTimersByTime(TIMEOUT_MS);
    expect(t[2]!.sent).toHaveLength(0);
    // Marked on one sweep, moved on the next: within the timeout and two sweeps.
    vi.advanceTimersByTime(2 * 250);
    expect(t[2]!.sent.map((s) => s.conn)).toEqual([handles[0]]);
    expect(d.timedOut).toBe(1);
    // New connections for the key skip the stalled slot too.
    const next = new FakeHandle();
    d.dispatch(next, key);
    expect(t[1]!.sent).toHaveLength(1);
    for (let i = 0; i < 4; i++) d.acknowledge(t[2]!, t[2]!.sent[i]!.msg.id, true);
    expect(t[2]!.sent.map((s) => s.conn)).toEqual([...handles, next]);
    expect(handles.every((h) => h.closed === 1)).toBe(true);
  });

  it('refuses a late answer, keeps the connection where it went, and routes to the slot again', () => {
    const { d, t } = setup();
    const key = keyRanked(1, 2);
    const h = new FakeHandle();
    d.dispatch(h, key);
    vi.advanceTimersByTime(TIMEOUT_MS + 500);
    expect(t[2]!.sent).toHaveLength(1);
    const late = vi.fn();
    d.onLateAck = late;
    d.acknowledge(t[1]!, t[1]!.sent[0]!.msg.id, false);
    expect(late).toHaveBeenCalledWith(1, false);
    expect(h.closed).toBe(0);
    d.acknowledge(t[2]!, t[2]!.sent[0]!.msg.id, true);
    expect(h.closed).toBe(1);
    d.dispatch(new FakeHandle(), key);
    expect(t[1]!.sent).toHaveLength(2);
  });

  it('takes an answer that arrives before the second sweep', () => {
    const { d, t } = setup();
    const h = new FakeHandle();
    d.dispatch(h, keyRanked(1, 2));
    vi.advanceTimersByTime(TIMEOUT_MS + 250);
    d.acknowledge(t[1]!, t[1]!.sent[0]!.msg.id, true);
    vi.advanceTimersByTime(1000);
    expect(t[2]!.sent).toHaveLength(0);
    expect(h.closed).toBe(1);
    expect(d.timedOut).toBe(0);
  });

  it('caps one slot\'s waiting connections at its share of maxPending; past it they go to the next slot', () => {
    // maxPending 6 over 3 slots: 2 each.
    const { d, t } = setup(6);
    const key = keyRanked(0, 1);
    for (let i = 0; i < 4; i++) d.dispatch(new FakeHandle(), key);
    // 1 sent + 1 queued on slot 0; the next two go to slot 1 (1 sent, 1 queued).
    expect(t[0]!.sent).toHaveLength(1);
    expect(t[1]!.sent).toHaveLength(1);
    expect(d.pendingCount).toBe(4);
    // Room again on slot 0 once it answers: the key comes back.
    d.acknowledge(t[0]!, t[0]!.sent[0]!.msg.id, true);
    d.acknowledge(t[0]!, t[0]!.sent[1]!.msg.id, true);
    d.dispatch(new FakeHandle(), key);
    expect(t[0]!.sent).toHaveLength(3);
  });
});
