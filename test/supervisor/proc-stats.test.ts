import { describe, expect, it } from 'vitest';
import { parseStatTicks, parseStatusRss, ProcSampler } from '../../src/supervisor/proc-stats.js';

describe('/proc parsing', () => {
  it('reads utime + stime even when the command name has spaces and parentheses', () => {
    const stat = '1234 (node (worker) x) S 1 1234 1234 0 -1 4194560 2000 0 0 0 150 25 0 0 20 0 11 0 5000 1000000 12000';
    expect(parseStatTicks(stat)).toBe(175);
  });

  it('reads VmRSS in bytes, 0 when absent (a zombie)', () => {
    expect(parseStatusRss('Name:\tnode\nVmRSS:\t   51200 kB\nThreads:\t11\n')).toBe(51200 * 1024);
    expect(parseStatusRss('Name:\tnode\nState:\tZ (zombie)\n')).toBe(0);
  });
});

describe('ProcSampler', () => {
  it('samples this process: real memory, a CPU share, zeros for a pid that does not exist', async () => {
    const sampler = new ProcSampler();
    const first = await sampler.sample(process.pid, process.uptime() * 1000);
    expect(first.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(first.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(await sampler.sample(2 ** 22 + 1, 1000)).toEqual({ rssBytes: 0, cpuPercent: 0 });
  });
});
