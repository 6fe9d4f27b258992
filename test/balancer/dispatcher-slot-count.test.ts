// The Dispatcher's slot count changes (sticky scale) and its no-worker rule (closing at once
// once the supervisor has started), on fake targets and handles.
import { describe, expect, it, vi } from 'vitest';
import type { Target } from '../../src/balancer/connection-router.js';
import { Dispatcher } from '../../src/balancer/dispatcher.js';
import type { ConnMessage } from '../../src/ipc/messages.js';
import { Rendezvous } from '../../src/routing/hash.js';
import { FakeHandle } from '../helpers/fake-handle.js';

const SEED = 11;

class FakeTarget implements Target {
  readonly sent: ConnMessage[] = [];
  constructor(readonly slot: number) {}
  send(msg: ConnMessage): boolean {
    this.sent.push(msg);
    return true;
  }
}

/** Which target each of `keys` lands on, each connection acknowledged at once. */
function land(d: Dispatcher, targets: FakeTarget[], keys: number[]): number[] {
  return keys.map((key) => {
    const before = targets.map((t) => t.sent.length);
    d.dispatch(new FakeHandle(), key);
    const i = targets.findIndex((t, n) => t.sent.length > before[n]!);
    if (i !== -1) d.acknowledge(targets[i]!, targets[i]!.sent.at(-1)!.id, true);
    return i === -1 ? -1 : targets[i]!.slot;
  });
}

const KEYS = Array.from({ length: 3000 }, (_, i) => (Math.imul(i + 1, 0x9e3779b1) >>> 0));

describe('Dispatcher.resize', () => {
  it('growing 3 -> 4 moves only the keys the new slot wins, about a quarter, and only once it has a target', () => {
    const d = new Dispatcher({ slotCount: 3, seed: SEED, maxPending: 100 });
    const t = [0, 1, 2, 3].map((i) => new FakeTarget(i));
    for (const x of t.slice(0, 3)) d.setTarget(x);
    const before = land(d, t, KEYS);

    d.resize(4);
    // No target on slot 3 yet: every key stays where it was.
    expect(land(d, t, KEYS)).toEqual(before);

    d.setTarget(t[3]!);
    const after = land(d, t, KEYS);
    const moved = KEYS.filter((_, i) => after[i] !== before[i]);
    for (const [i] of KEYS.entries()) if (after[i] !== before[i]) expect(after[i]).toBe(3);
    expect(moved.length / KEYS.length).toBeGreaterThan(0.2);
    expect(moved.length / KEYS.length).toBeLessThan(0.3);
    // The same slots a Rendezvous of 4 picks.
    const four = new Rendezvous(4, SEED);
    expect(after).toEqual(KEYS.map((k) => four.pick(k, () => true)));
  });

  it('shrinking 4 -> 3 moves only the removed slot\'s keys, back to where 3 slots put them', () => {
    const d = new Dispatcher({ slotCount: 4, seed: SEED, maxPending: 100 });
    const t = [0, 1, 2, 3].map((i) => new FakeTarget(i));
    for (const x of t) d.setTarget(x);
    const before = land(d, t, KEYS);
    d.removeTarget(t[3]!);
    d.resize(3);
    const after = land(d, t, KEYS);
    for (const [i] of KEYS.entries()) {
      if (before[i] !== 3) expect(after[i]).toBe(before[i]);
      else expect(after[i]).not.toBe(3);
    }
    const three = new Rendezvous(3, SEED);
    expect(after).toEqual(KEYS.map((k) => three.pick(k, () => true)));
  });

  it('a connection not yet acknowledged by a removed slot\'s target goes to a remaining slot', () => {
    const d = new Dispatcher({ slotCount: 2, seed: SEED, maxPending: 100 });
    const t = [new FakeTarget(0), new FakeTarget(1)];
    for (const x of t) d.setTarget(x);
    const key = KEYS.find((k) => new Rendezvous(2, SEED).pick(k, () => true) === 1)!;
    d.dispatch(new FakeHandle(), key);
    expect(t[1]!.sent).toHaveLength(1);
    d.resize(1);
    expect(t[0]!.sent).toHaveLength(1);
    expect(d.pendingCount).toBe(1);
  });
});

describe('Dispatcher.closeWhenNoWorker', () => {
  it('off (before the first start succeeded): a connection with no target waits for one', () => {
    const onReject = vi.fn();
    const d = new Dispatcher({ slotCount: 2, seed: SEED, maxPending: 100, onReject });
    const h = new FakeHandle();
    d.dispatch(h, KEYS[0]!);
    expect(h.closed).toBe(0);
    expect(d.pendingCount).toBe(1);
    const t = new FakeTarget(1);
    d.setTarget(t);
    expect(t.sent).toHaveLength(1);
    expect(onReject).not.toHaveBeenCalled();
  });

  it('on: with no target and no booting slot a connection is closed at once and counted', () => {
    const onReject = vi.fn();
    const d = new Dispatcher({ slotCount: 2, seed: SEED, maxPending: 100, onReject });
    d.closeWhenNoWorker = true;
    const h = new FakeHandle();
    d.dispatch(h, KEYS[0]!);
    expect(h.closed).toBe(1);
    expect(d.rejected).toBe(1);
    expect(d.pendingCount).toBe(0);
    expect(onReject).toHaveBeenCalledWith('no-worker', expect.stringContaining('no worker is online'));
  });

  it('on: one target left is enough, and a booting slot still makes its keys wait', () => {
    const d = new Dispatcher({ slotCount: 2, seed: SEED, maxPending: 100 });
    d.closeWhenNoWorker = true;
    const t = new FakeTarget(0);
    d.setTarget(t);
    const h = new FakeHandle();
    d.dispatch(h, KEYS[1]!);
    expect(h.closed).toBe(0);
    expect(t.sent).toHaveLength(1);
    d.removeTarget(t);
    // Its unacknowledged connection has nowhere to go: closed too, rather than held.
    expect(h.closed).toBe(1);

    d.markBooting(1);
    const waiting = new FakeHandle();
    d.dispatch(waiting, KEYS.find((k) => new Rendezvous(2, SEED).pick(k, () => true) === 1)!);
    expect(waiting.closed).toBe(0);
    expect(d.pendingCount).toBe(1);
  });
});
