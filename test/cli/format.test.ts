import { expect, test } from 'vitest';
import { formatBytes, formatDuration, formatTable } from '../../src/cli/format.js';
import { describeProgress } from '../../src/cli/reload.js';
import { formatStatus } from '../../src/cli/status-text.js';
import type { StatusSnapshot } from '../../src/control/protocol.js';

test('durations', () => {
  expect([0, 950, 4_900, 59_999, 303_000, 7_500_000, 3 * 86_400_000 + 3_600_000].map(formatDuration))
    .toEqual(['0ms', '950ms', '4.9s', '60.0s', '5m 3s', '2h 5m', '3d 1h']);
  expect(formatDuration(-1)).toBe('-');
});

test('sizes', () => {
  expect([0, 1023, 1024, 51_200_000, 3 * 1024 ** 4].map(formatBytes)).toEqual(['0 B', '1023 B', '1.0 KiB', '48.8 MiB', '3.0 TiB']);
});

test('tables pad columns, numbers to the right', () => {
  expect(formatTable([['A', 'NUM'], ['long', '5']], new Set([1]))).toBe('A     NUM\nlong    5');
});

test('a status snapshot as text', () => {
  const snapshot: StatusSnapshot = {
    name: 'chat', pid: 1234, uptimeMs: 5000, host: '0.0.0.0', port: 3000, routing: 'ip',
    connections: { active: 12, total: 340, rejected: 0, misrouted: 1 },
    workers: [
      { slot: 1, pid: 2346, state: 'online', active: 6, total: 170, restarts: 2, uptimeMs: 4900, rssBytes: 51_200_000, cpuPercent: 3.14 },
      { slot: 0, pid: 2345, state: 'draining', active: 6, total: 170, restarts: 0, uptimeMs: 4900, rssBytes: 51_200_000, cpuPercent: 0 },
    ],
    events: [{ time: Date.UTC(2025, 0, 1, 12, 0, 1), level: 'warn', kind: 'crash', message: 'worker exited with code 1', slot: 1 }],
  };
  expect(formatStatus(snapshot)).toBe([
    'chat  pid 1234  up 5.0s  0.0.0.0:3000  routing ip',
    'connections  active 12  total 340  rejected 0  misrouted 1',
    '',
    'SLOT   PID  STATE     ACTIVE  TOTAL  RESTARTS  UPTIME    MEMORY   CPU',
    '0     2345  draining       6    170         0  4.9s    48.8 MiB  0.0%',
    '1     2346  online         6    170         2  4.9s    48.8 MiB  3.1%',
    '',
    'recent events',
    '  12:00:01 warn  slot 1 worker exited with code 1',
    '',
  ].join('\n'));
});

test('reload progress lines', () => {
  expect(describeProgress({ slot: 0, phase: 'forking', oldPid: 10 })).toBe('slot 0: starting a new worker (old pid 10)');
  expect(describeProgress({ slot: 0, phase: 'online', newPid: 11 })).toBe('slot 0: new worker pid 11 online');
  expect(describeProgress({ slot: 0, phase: 'draining', oldPid: 10 })).toBe('slot 0: draining old worker pid 10');
  expect(describeProgress({ slot: 0, phase: 'drained', oldPid: 10 })).toBe('slot 0: old worker pid 10 exited');
  expect(describeProgress({ slot: 1, phase: 'failed', newPid: 12, message: 'SyntaxError: x' }))
    .toBe('slot 1: new worker pid 12 failed, the old one keeps serving: SyntaxError: x');
});
