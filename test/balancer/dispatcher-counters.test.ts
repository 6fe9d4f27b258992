// What the dispatcher counts for metrics: rejections per reason beside the total, and the
// send-to-ack time of each hand-off, measured only while a listener is set.
import { describe, expect, it } from 'vitest';
import { Dispatcher, type Connection, type NativeHandle, type Target } from '../../src/balancer/dispatcher.js';
import type { ConnMessage } from '../../src/ipc/messages.js';

class FakeHandle implements NativeHandle {
  closed = false;
  close(): void {
    this.closed = true;
  }
  getpeername(): number {
    return 0;
  }
}

class FakeTarget implements Target {
  readonly sent: ConnMessage[] = [];
  constructor(readonly slot: number) {}
  send(msg: ConnMessage, _conn: Connection): boolean {
    this.sent.push(msg);
    return true;
  }
}

function dispatcher(maxPending = 100): { d: Dispatcher; targets: FakeTarget[] } {
  const d = new Dispatcher({ slotCount: 2, seed: 0, maxPending });
  const targets = [new FakeTarget(0), new FakeTarget(1)];
  for (const t of targets) d.setTarget(t);
  return { d, targets };
}

describe('Dispatcher counters', () => {
  it('rejections: the total and a count per reason, which add up to it', () => {
    const { d } = dispatcher(1);
    d.dispatch(new FakeHandle(), 1);
    const over = new FakeHandle();
    d.dispatch(over, 2);
    expect(over.closed).toBe(true);
    d.countReject('not-http');
    d.countReject('not-http');
    d.reject(new FakeHandle(), 'timeout');
    expect(d.rejected).toBe(4);
    expect(Object.fromEntries(d.rejectedByReason)).toEqual({ maxPending: 1, 'not-http': 2, timeout: 1 });
  });

  it('hand-off time: reported on each acknowledged hand-off, in ms from the send; not for a refusal', async () => {
    const { d, targets } = dispatcher();
    const times: number[] = [];
    d.onHandoff = (ms) => times.push(ms);
    d.dispatch(new FakeHandle(), 7);
    const target = targets.find((t) => t.sent.length === 1)!;
    await new Promise((r) => setTimeout(r, 20));
    d.acknowledge(target, target.sent[0]!.id, true);
    expect(times).toHaveLength(1);
    expect(times[0]).toBeGreaterThanOrEqual(15);
    expect(times[0]).toBeLessThan(10_000);

    d.dispatch(new FakeHandle(), 7);
    d.acknowledge(target, target.sent[1]!.id, false);
    const other = targets.find((t) => t !== target)!;
    d.acknowledge(other, other.sent.at(-1)!.id, true);
    expect(times).toHaveLength(2);
  });

  it('no listener: nothing measured, and one set later ignores hand-offs sent before it', () => {
    const { d, targets } = dispatcher();
    d.dispatch(new FakeHandle(), 7);
    const target = targets.find((t) => t.sent.length === 1)!;
    const times: number[] = [];
    d.onHandoff = (ms) => times.push(ms);
    d.acknowledge(target, target.sent[0]!.id, true);
    expect(times).toEqual([]);
  });
});
