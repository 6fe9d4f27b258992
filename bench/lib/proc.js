'use strict';
// Process figures from /proc: CPU time (all threads) and peak resident memory.
const fs = require('node:fs');

const TICKS_PER_S = 100; // USER_HZ on Linux is 100 on every architecture Node supports

/** utime + stime of `pid` in microseconds, or NaN when the process is gone. */
function cpuMicros(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / TICKS_PER_S;
  } catch {
    return NaN;
  }
}

/** Sum of cpuMicros over pids. */
function cpuMicrosOf(pids) {
  let sum = 0;
  for (const pid of pids) sum += cpuMicros(pid);
  return sum;
}

/** A /proc/PID/status field in bytes (VmHWM = peak RSS, VmRSS = current). */
function statusBytes(pid, field) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Children of pid (direct), from /proc/PID/task/PID/children. */
function childPids(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

module.exports = { cpuMicros, cpuMicrosOf, statusBytes, childPids };
