import { readFile } from 'node:fs/promises';

/** Linux reports /proc times in USER_HZ, which is 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

export interface ProcUsage {
  rssBytes: number;
  cpuPercent: number;
}

export interface ProcStat {
  /** R, S, D, Z (zombie: exited, not yet reaped), ... */
  state: string;
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

/**
 * The fields we use from /proc/PID/stat. The command name (field 2) may hold spaces and
 * parentheses, so fields are counted from the last ')'.
 */
export function parseStat(stat: string): ProcStat {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), ppid field 4; utime and stime are fields 14 and 15.
  return { state: fields[0] ?? '', ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

/** A size field of /proc/PID/status in bytes (`VmRSS:   51200 kB`); undefined when absent (a zombie). */
export function parseStatusBytes(status: string, field = 'VmRSS'): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** A process's resident set size from /proc (Linux); undefined when it is gone or elsewhere. */
export async function readRssBytes(pid: number): Promise<number | undefined> {
  if (pid <= 0 || process.platform !== 'linux') return undefined;
  try {
    return parseStatusBytes(await readFile(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Memory and CPU of worker processes, read from /proc (Linux; zeros elsewhere). CPU is
 * the share of one core since the previous sample of that pid, or since the process
 * started on the first sample.
 */
export class ProcSampler {
  private readonly last = new Map<number, { ticks: number; at: number }>();

  async sample(pid: number, uptimeMs: number): Promise<ProcUsage> {
    if (pid <= 0 || process.platform !== 'linux') return { rssBytes: 0, cpuPercent: 0 };
    let stat: string;
    let status: string;
    try {
      [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
    } catch {
      this.last.delete(pid);
      return { rssBytes: 0, cpuPercent: 0 };
    }
    const { ticks } = parseStat(stat);
    const now = Date.now();
    const prev = this.last.get(pid) ?? { ticks: 0, at: now - uptimeMs };
    this.last.set(pid, { ticks, at: now });
    const elapsedMs = now - prev.at;
    const cpuPercent = elapsedMs > 0 ? ((ticks - prev.ticks) / TICKS_PER_SECOND) / (elapsedMs / 1000) * 100 : 0;
    return { rssBytes: parseStatusBytes(status) ?? 0, cpuPercent: Math.max(0, Math.round(cpuPercent * 10) / 10) };
  }

  /** Drops samples of pids no longer in `live`. */
  retain(live: ReadonlySet<number>): void {
    for (const pid of this.last.keys()) if (!live.has(pid)) this.last.delete(pid);
  }
}
