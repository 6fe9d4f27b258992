import { expect, test } from 'vitest';
import { formatStatus } from '../../src/cli/status-text.js';
import type { StatusSnapshot } from '../../src/control/protocol.js';

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

test('says who accepts in ip mode (the kernel or the primary)', () => {
  const snapshot: StatusSnapshot = {
    name: 'chat', pid: 1234, uptimeMs: 5000, host: '0.0.0.0', port: 3000, routing: 'ip', accept: 'kernel',
    connections: { active: 0, total: 0, rejected: 0, misrouted: 0 },
    workers: [],
    events: [],
  };
  expect(formatStatus(snapshot).split('\n')[0]).toBe('chat  pid 1234  up 5.0s  0.0.0.0:3000  routing ip  accept kernel');
});
