'use strict';
// Process figures from /proc: CPU time (all threads) and peak resident memory.
const fs = require('node:fs');
// The parsers the supervisor uses for `sticky status` (the bench runs on a build).
const { parseStat, parseStatusBytes } = require('../../dist/supervisor/proc-stats.js');

const TICKS_PER_S = 100; // USER_HZ on Linux is 100 on every architecture Node supports

/** utime + stime of `pid` in microseconds, or NaN when the process is gone. */
function cpuMicros(pid) {
  try {
    return (parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'latin1')).ticks * 1e6) / TICKS_PER_S;
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
    return parseStatusBytes(fs.readFileSync(`/proc/${pid}/status`, 'latin1'), field) ?? NaN;
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
