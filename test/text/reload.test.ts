import { expect, test } from 'vitest';
import { describeProgress, describeReloadResult } from '../../src/text/reload.js';

test('reload progress lines', () => {
  expect(describeProgress({ slot: 0, phase: 'forking', oldPid: 10 })).toBe('slot 0: starting a new worker (old pid 10)');
  expect(describeProgress({ slot: 0, phase: 'forking' })).toBe('slot 0: starting a new worker');
  expect(describeProgress({ slot: 0, phase: 'online', newPid: 11 })).toBe('slot 0: new worker pid 11 online');
  expect(describeProgress({ slot: 0, phase: 'draining', oldPid: 10 })).toBe('slot 0: draining old worker pid 10');
  expect(describeProgress({ slot: 0, phase: 'drained', oldPid: 10 })).toBe('slot 0: old worker pid 10 exited');
  expect(describeProgress({ slot: 1, phase: 'failed', newPid: 12, message: 'SyntaxError: x' }))
    .toBe('slot 1: new worker pid 12 failed, the old one keeps serving: SyntaxError: x');
  expect(describeProgress({ slot: 1, phase: 'failed', message: 'exit code 1' })).toBe('slot 1: new worker failed, the old one keeps serving: exit code 1');
});

test('a reload\'s outcome', () => {
  expect(describeReloadResult({ replaced: [{ slot: 0, oldPid: 1, newPid: 2 }], restartNeeded: [], durationMs: 950 })).toBe('1 worker replaced in 950ms');
  const two = [{ slot: 0, oldPid: 1, newPid: 3 }, { slot: 1, oldPid: undefined, newPid: 4 }];
  expect(describeReloadResult({ replaced: two, restartNeeded: [], durationMs: 303_000 })).toBe('2 workers replaced in 5m 3s');
});
