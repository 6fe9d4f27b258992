import { describe, expect, it } from 'vitest';
import { parseStat, parseStatusBytes, ProcSampler } from '../../src/supervisor/proc-stats.js';

describe('/proc parsing', () => {
  it('reads state, ppid and utime + stime even when the command name has spaces and parentheses', () => {
    const stat = '1234 (node (worker) x) S 1 1234 1234 0 -1 4194560 2000 0 0 0 150 25 0 0 20 0 11 0 5000 1000000 12000';
    expect(parseStat(stat)).toEqual({ state: 'S', ppid: 1, ticks: 175 });
    // A name ending in ') Z' must not read as a zombie (counting from the first ')' did).
    expect(parseStat('99 (a) Z b) R 7 99 99 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 1 1 1').state).toBe('R');
  });

  it('reads a status size in bytes, undefined when absent (a zombie)', () => {
    const status = 'Name:\tnode\nVmHWM:\t   61440 kB\nVmRSS:\t   51200 kB\nThreads:\t11\n';
    expect(parseStatusBytes(status)).toBe(51200 * 1024);
    expect(parseStatusBytes(status, 'VmHWM')).toBe(61440 * 1024);
    expect(parseStatusBytes('Name:\tnode\nState:\tZ (zombie)\n')).toBeUndefined();
  });
});

describe('ProcSampler', () => {
  it('samples this process: real memory, the CPU share it used since the last sample, zeros for a pid that does not exist', async () => {
    const sampler = new ProcSampler();
    const first = await sampler.sample(process.pid, process.uptime() * 1000);
    expect(first.rssBytes).toBeGreaterThan(1024 * 1024);
    // Since start: this process has loaded vitest, so it has used CPU.
    expect(first.cpuPercent).toBeGreaterThan(0);

    // Burn 300 ms of CPU (by the clock of getrusage, so a loaded machine only stretches the
    // wall time) and compare with the share the kernel's own counters give for the window.
    const wallStart = Date.now();
    const cpuStart = process.cpuUsage();
    await sampler.sample(process.pid, 0);
    while (cpuMs(process.cpuUsage(cpuStart)) < 300) Math.sqrt(Math.random());
    const burnt = await sampler.sample(process.pid, 0);
    const wallMs = Date.now() - wallStart;
    const expected = (cpuMs(process.cpuUsage(cpuStart)) / wallMs) * 100;
    // /proc counts in 10 ms ticks: two ticks of error at each end of the window.
    const slack = (20 / wallMs) * 100 + 1;
    expect(burnt.cpuPercent).toBeGreaterThan(expected - slack);
    expect(burnt.cpuPercent).toBeLessThan(expected + slack);

    expect(await sampler.sample(2 ** 22 + 1, 1000)).toEqual({ rssBytes: 0, cpuPercent: 0 });
  });
});

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}
