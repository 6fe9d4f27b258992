import { describe, expect, it, vi } from 'vitest';
import { Dispatcher } from '../../src/balancer/dispatcher.js';
import type { ConnMessage } from '../../src/ipc/messages.js';
import { FakeHandle, FakeTarget, keyRanker } from '../helpers/fake-handle.js';

const SLOTS = 3;
const SEED = 7;
const keyRanked = keyRanker(SLOTS, SEED);

function setup(maxPending = 100): { d: Dispatcher; t: FakeTarget[]; onReject: ReturnType<typeof vi.fn> } {
  const onReject = vi.fn();
  const d = new Dispatcher({ slotCount: SLOTS, seed: SEED, maxPending, onReject });
  const t = Array.from({ length: SLOTS }, (_, i) => new FakeTarget(i));
  return { d, t, onReject };
}

describe('Dispatcher', () => {
  it('sends a connection to its key\'s slot and releases its copy once the worker takes it', () => {
    const { d, t } = setup();
    for (const x of t) d.setTarget(x);
    const h = new FakeHandle();
    d.dispatch(h, keyRanked(1));
    expect(t[1]!.sent).toHaveLength(1);
    expect(t[1]!.last.conn).toBe(h);
    expect(t[0]!.sent.length + t[2]!.sent.length).toBe(0);
    expect(d.pendingCount).toBe(1);
    expect(h.closed).toBe(0);
    d.acknowledge(t[1]!, t[1]!.last.msg.id, true);
    expect(h.closed).toBe(1);
    expect(d.pendingCount).toBe(0);
  });

  it('carries the bytes read, the key and the PROXY source to the worker', () => {
    const { d, t } = setup();
    d.setTarget(t[0]!);
    const remote = { address: '203.0.113.9', port: 4000, family: 'IPv4' };
    d.dispatch(new FakeHandle(), keyRanked(0), { data: Buffer.from([0, 255, 10]), key: '203.0.113.9', remote });
    // latin1: one char per byte, the same bytes after a JSON round trip.
    expect(t[0]!.last.msg).toMatchObject({ t: 'conn', bytes: '\u0000\u00ff\n', key: '203.0.113.9', remote });
    expect(Buffer.from((JSON.parse(JSON.stringify(t[0]!.last.msg)) as ConnMessage).bytes!, 'latin1')).toEqual(Buffer.from([0, 255, 10]));
    d.dispatch(new FakeHandle(), keyRanked(0), { data: Buffer.alloc(0) });
    d.acknowledge(t[0]!, t[0]!.sent[0]!.msg.id, true);
    expect(t[0]!.last.msg).not.toHaveProperty('bytes');
  });

  it('re-routes a refused connection to the key\'s next slot, never back to the one that refused', () => {
    const { d, t } = setup();
    for (const x of t) d.setTarget(x);
    const h = new FakeHandle();
    d.dispatch(h, keyRanked(2, 0, 1));
    d.acknowledge(t[2]!, t[2]!.last.msg.id, false);
    expect(t[0]!.last.conn).toBe(h);
    d.acknowledge(t[0]!, t[0]!.last.msg.id, false);
    expect(t[1]!.last.conn).toBe(h);
    expect(t[2]!.sent).toHaveLength(1);
    expect(h.closed).toBe(0);
  });

  it('holds a connection every target refused until a new target comes', () => {
    const { d, t } = setup();
    d.setTarget(t[0]!);
    const h = new FakeHandle();
    d.dispatch(h, keyRanked(0));
    d.acknowledge(t[0]!, t[0]!.last.msg.id, false);
    expect(d.pendingCount).toBe(1);
    expect(t[0]!.sent).toHaveLength(1);
    const fresh = new FakeTarget(0);
    d.setTarget(fresh);
    expect(fresh.last.conn).toBe(h);
  });

  it('re-routes what a dead target held, sent and queued alike, and ignores its late answers', () => {
    const { d, t } = setup();
    for (const x of t) d.setTarget(x);
    const handles = [new FakeHandle(), new FakeHandle(), new FakeHandle()];
    for (const h of handles) d.dispatch(h, keyRanked(1, 2));
    expect(t[1]!.sent).toHaveLength(1);
    const lateId = t[1]!.last.msg.id;
    d.removeTarget(t[1]!);
    // Slot 2's lane: the first goes out, the others wait for its answer.
    expect(t[2]!.sent.map((s) => s.conn)).toEqual([handles[0]]);
    expect(d.pendingCount).toBe(3);
    d.acknowledge(t[1]!, lateId, true);
    expect(handles[0]!.closed).toBe(0);
    for (let i = 0; i < 3; i++) d.acknowledge(t[2]!, t[2]!.last.msg.id, true);
    expect(t[2]!.sent.map((s) => s.conn)).toEqual(handles);
    expect(handles.map((h) => h.closed)).toEqual([1, 1, 1]);
    expect(d.pendingCount).toBe(0);
  });

  it('keeps one connection in flight per target and sends the next on each answer, in order', () => {
    const { d, t } = setup();
    for (const x of t) d.setTarget(x);
    const toOne = [new FakeHandle(), new FakeHandle(), new FakeHandle()];
    for (const h of toOne) d.dispatch(h, keyRanked(1));
    const toZero = new FakeHandle();
    d.dispatch(toZero, keyRanked(0));
    expect(t[1]!.sent).toHaveLength(1);
    expect(t[0]!.last.conn).toBe(toZero);
    d.acknowledge(t[1]!, t[1]!.last.msg.id, true);
    expect(t[1]!.sent).toHaveLength(2);
    // A refusal frees the lane too.
    d.acknowledge(t[1]!, t[1]!.last.msg.id, false);
    expect(t[1]!.sent.map((s) => s.conn)).toEqual(toOne);
  });

  it('re-routes at once when a target cannot take a send', () => {
    const { d, t } = setup();
    for (const x of t) d.setTarget(x);
    t[0]!.accepting = false;
    const h = new FakeHandle();
    d.dispatch(h, keyRanked(0, 2));
    expect(t[2]!.last.conn).toBe(h);
    // The lane it failed on is free again.
    t[0]!.accepting = true;
    d.dispatch(new FakeHandle(), keyRanked(0));
    expect(t[0]!.sent).toHaveLength(1);
  });

  it('makes a booting slot\'s keys wait for it instead of falling over, until it boots or the wait ends', () => {
    const { d, t } = setup();
    d.markBooting(0);
    d.markBooting(1);
    d.setTarget(t[2]!);
    const waits = new FakeHandle();
    d.dispatch(waits, keyRanked(0, 2));
    const alsoWaits = new FakeHandle();
    d.dispatch(alsoWaits, keyRanked(1, 2));
    expect(t[2]!.sent).toHaveLength(0);
    expect(d.pendingCount).toBe(2);
    d.setTarget(t[0]!);
    expect(t[0]!.last.conn).toBe(waits);
    d.stopBooting(1);
    expect(t[2]!.last.conn).toBe(alsoWaits);
    // Once slot 1 is no longer booting, its keys fall over at once.
    d.dispatch(new FakeHandle(), keyRanked(1, 2));
    d.acknowledge(t[2]!, t[2]!.last.msg.id, true);
    expect(t[2]!.sent).toHaveLength(2);
  });

  it('closes connections beyond maxPending, counting waiting ones, and reports why', () => {
    const { d, onReject } = setup(2);
    d.markBooting(0);
    const kept = [new FakeHandle(), new FakeHandle()];
    for (const h of kept) d.dispatch(h, keyRanked(0));
    const over = new FakeHandle();
    d.dispatch(over, keyRanked(0));
    expect(over.closed).toBe(1);
    expect(kept.map((h) => h.closed)).toEqual([0, 0]);
    expect(d.rejected).toBe(1);
    expect(onReject).toHaveBeenCalledWith('maxPending', undefined);
    expect(d.pendingCount).toBe(2);
  });

  it('closeAll releases every connection not handed off yet', () => {
    const { d, t } = setup();
    d.setTarget(t[0]!);
    d.markBooting(1);
    const inFlight = new FakeHandle();
    const queued = new FakeHandle();
    const waiting = new FakeHandle();
    d.dispatch(inFlight, keyRanked(0));
    d.dispatch(queued, keyRanked(0));
    d.dispatch(waiting, keyRanked(1));
    d.closeAll();
    expect([inFlight, queued, waiting].map((h) => h.closed)).toEqual([1, 1, 1]);
    expect(d.pendingCount).toBe(0);
  });

  it('tolerates calls with nothing to do', () => {
    const { d, t } = setup();
    d.removeTarget(t[0]!);
    d.stopBooting(2);
    d.acknowledge(t[0]!, 12345, true);
    expect(d.pendingCount).toBe(0);
  });
});
