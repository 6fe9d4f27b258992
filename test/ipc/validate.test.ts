import { describe, expect, it } from 'vitest';
import { checkWorkerMessage, MAX_ERROR_MESSAGE_CHARS } from '../../src/ipc/validate.js';

const cmd = 'NODE_STICKY';

describe('checkWorkerMessage', () => {
  it('passes each well-formed message with only its known fields', () => {
    expect(checkWorkerMessage({ cmd, t: 'ack', id: 7, ok: true, extra: 'x' } as never)).toEqual({ ok: true, msg: { cmd, t: 'ack', id: 7, ok: true } });
    expect(checkWorkerMessage({ cmd, t: 'stats', active: 0, total: 3, misrouted: 1 } as never)).toEqual({ ok: true, msg: { cmd, t: 'stats', active: 0, total: 3, misrouted: 1 } });
    for (const t of ['ready', 'closing', 'drained', 'pong']) expect(checkWorkerMessage({ cmd, t } as never)).toEqual({ ok: true, msg: { cmd, t } });
    expect(checkWorkerMessage({ cmd, t: 'error', message: 'boom', stack: 'at x' } as never)).toEqual({ ok: true, msg: { cmd, t: 'error', message: 'boom', stack: 'at x' } });
  });

  it.each([
    [{ t: 'ack', id: 0, ok: true }, /bad id: 0/],
    [{ t: 'ack', id: 1.5, ok: true }, /bad id/],
    [{ t: 'ack', id: 1, ok: 'yes' }, /bad ok: "yes"/],
    [{ t: 'stats', active: -1, total: 0, misrouted: 0 }, /bad active: -1/],
    [{ t: 'stats', active: 0, total: Infinity, misrouted: 0 }, /bad total: Infinity/],
    [{ t: 'stats', active: 0, total: 2 ** 53, misrouted: 0 }, /bad total/],
    [{ t: 'stats', active: 0, total: {}, misrouted: 0 }, /bad total: an object/],
    [{ t: 'stats', active: 1n, total: 0, misrouted: 0 }, /bad active: a bigint/],
    [{ t: 'stats', active: 0, total: 0, misrouted: [] }, /bad misrouted: an array/],
    [{ t: 'error', message: { toString: null } }, /bad message: an object/],
    [{ t: 'error', message: 'x', stack: 5 }, /bad stack: 5/],
    [{ t: 'nonsense' }, /unknown message type "nonsense"/],
    [{ t: { valueOf: null } }, /unknown message type an object/],
    [{}, /unknown message type undefined/],
  ])('refuses %o', (m, why) => {
    const checked = checkWorkerMessage({ cmd, ...m } as never);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.reason).toMatch(why);
  });

  it('cuts a long error text and says how much was cut', () => {
    const checked = checkWorkerMessage({ cmd, t: 'error', message: 'E'.repeat(5_000_000), stack: 'S'.repeat(5_000_000) } as never);
    if (!checked.ok || checked.msg.t !== 'error') throw new Error('expected an error message');
    expect(checked.msg.message.length).toBeLessThan(MAX_ERROR_MESSAGE_CHARS + 100);
    expect(checked.msg.message).toMatch(/… \(4995904 more characters cut\)$/);
    expect(checked.msg.stack!.length).toBeLessThan(20_000);
  });

  it('never quotes a long string in full when refusing it', () => {
    const checked = checkWorkerMessage({ cmd, t: 'x'.repeat(10_000) } as never);
    expect(!checked.ok && checked.reason.length).toBeLessThan(100);
  });
});
