import { describe, expect, it } from 'vitest';
import { KERNEL_FAULT_ENV, kernelFault, loadSocketCalls } from '../../../src/balancer/kernel/socket-calls.js';

describe('loading the socket calls (koffi, an optional dependency)', () => {
  it('loads on this Linux machine, again and again (koffi refuses a struct type defined twice)', () => {
    const first = loadSocketCalls();
    expect(first).toMatchObject({ ok: true });
    const second = loadSocketCalls();
    expect(second.ok && first.ok && second.calls).toBe(first.ok && first.calls);
  });

  it('says why when koffi is missing, as after npm ci --omit=optional', () => {
    const missing = (id: string): never => {
      throw Object.assign(new Error(`Cannot find module '${id}'\nRequire stack: ...`), { code: 'MODULE_NOT_FOUND' });
    };
    expect(loadSocketCalls(missing)).toEqual({
      ok: false, reason: "the optional dependency koffi did not load (Cannot find module 'koffi')",
    });
  });

  it('says why when koffi loads but cannot bind libc (no binary for this platform)', () => {
    const broken = () => ({ load() { throw new Error('Cannot find the native Koffi module'); } });
    expect(loadSocketCalls(broken)).toEqual({
      ok: false, reason: "koffi could not bind libc's socket calls (Cannot find the native Koffi module)",
    });
  });

  it(`is off when ${KERNEL_FAULT_ENV}=no-ffi, to test the fallback with real processes`, () => {
    const unused = (): never => { throw new Error('koffi must not be loaded'); };
    expect(loadSocketCalls(unused, { [KERNEL_FAULT_ENV]: 'no-ffi' })).toEqual({
      ok: false, reason: `koffi disabled by ${KERNEL_FAULT_ENV}=no-ffi`,
    });
    expect(kernelFault({ [KERNEL_FAULT_ENV]: 'bad-program' })).toBe('bad-program');
    expect(kernelFault({ [KERNEL_FAULT_ENV]: 'anything else' })).toBeUndefined();
    expect(kernelFault({})).toBeUndefined();
  });
});
