import { describe, expect, it } from 'vitest';
import { formatPretty } from '../../src/log/pretty.js';

describe('formatPretty', () => {
  const record = { level: 40, time: Date.UTC(2026, 0, 2, 3, 4, 5, 678), pid: 1, name: 'chat', kind: 'worker-crash', slot: 1, workerPid: 4321, msg: 'worker 4321 exited with code 1' };

  it('writes time, level, name, message, then the other fields', () => {
    expect(formatPretty(record, false)).toBe('03:04:05.678 WARN  chat  worker 4321 exited with code 1  kind=worker-crash slot=1 workerPid=4321\n');
  });

  it('colours the level only when asked, and puts a stack on its own lines', () => {
    const out = formatPretty({ ...record, level: 50, stack: 'Error: x\n    at y' }, true);
    expect(out).toContain('\x1b[31mERROR\x1b[0m');
    expect(out.endsWith('\nError: x\n    at y\n')).toBe(true);
  });
});
