import { describe, expect, it, vi } from 'vitest';
import type * as ErrorsModule from '../src/errors.js';

type Errors = typeof ErrorsModule;

/** A fresh copy of src/errors.ts: what a second installed copy of the package loads. */
async function loadCopy(): Promise<Errors> {
  vi.resetModules();
  return import('../src/errors.js');
}

describe('StickyError identity across two copies of the package', () => {
  it('instanceof holds for the same class and its ancestors of the other copy', async () => {
    const a = await loadCopy();
    const b = await loadCopy();
    expect(a.StickyConfigError).not.toBe(b.StickyConfigError);

    const err = new a.StickyConfigError(['port: -1 is not a port'], { file: '/x/sticky.config.ts' });
    expect(err instanceof b.StickyConfigError).toBe(true);
    expect(err instanceof b.StickyError).toBe(true);
    expect(err instanceof Error).toBe(true);
    expect(err instanceof b.StickyUsageError).toBe(false);
    expect(err instanceof b.StickyControlError).toBe(false);
  });

  it('a subclass check does not accept its parent class, in either copy', async () => {
    const a = await loadCopy();
    const b = await loadCopy();
    const base = new a.StickyError('STICKY_X', 'x');
    expect(base instanceof b.StickyError).toBe(true);
    expect(base instanceof a.StickyConfigError).toBe(false);
    expect(base instanceof b.StickyConfigError).toBe(false);
  });

  it('a class that shares a code with another is still told apart by its class', async () => {
    const a = await loadCopy();
    const b = await loadCopy();
    // StickyRemoteError carries the supervisor's code, which may be any other class's code.
    const remote = new a.StickyRemoteError('STICKY_CONFIG', 'invalid config');
    expect(remote instanceof b.StickyRemoteError).toBe(true);
    expect(remote instanceof b.StickyConfigError).toBe(false);
  });

  it('rejects what is not an error of the package', async () => {
    const { StickyError, StickySetupError } = await loadCopy();
    for (const value of [new Error('x'), null, undefined, 'STICKY_SETUP', 7, { code: 'STICKY_SETUP', name: 'StickySetupError' }]) {
      expect(value instanceof StickyError).toBe(false);
      expect(value instanceof StickySetupError).toBe(false);
    }
  });

  it('the brand is not an own enumerable property: errors print and serialise as before', async () => {
    const { StickyReloadError } = await loadCopy();
    const err = new StickyReloadError('reload failed');
    expect(Object.getOwnPropertySymbols(err)).toEqual([]);
    expect(JSON.parse(JSON.stringify(err))).toEqual({ code: 'STICKY_RELOAD', name: 'StickyReloadError' });
  });
});
