/**
 * A worker's printed line as a log record: for `sticky logs` (LogRecord), as one NDJSON line
 * beside the supervisor's pino records, and as a readable line for a terminal.
 */
import type { LogRecord } from '../control/protocol.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { formatClock } from '../text/units.js';

/** pino's numbers: stderr lines count as errors, as PM2's error log has them. */
const PINO_LEVEL = { info: 30, warn: 40, error: 50 } as const;

export function appRecord(slot: number, pid: number, stream: 'stdout' | 'stderr', line: string, time = Date.now()): LogRecord {
  const record: LogRecord = { time, level: stream === 'stderr' ? 'error' : 'info', kind: 'app', slot, pid, stream, msg: line };
  const json = line.startsWith('{') ? parseObject(line) : undefined;
  if (json) {
    // The app's own structured line stays a structure; its message is the record's message.
    record.json = json;
    record.msg = typeof json.msg === 'string' ? json.msg : typeof json.message === 'string' ? json.message : '';
  }
  return record;
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The NDJSON line on stdout and in log.file: pino's shape (numeric level, time, name), with
 * the worker's pid as `pid` (the supervisor's own records carry the primary's).
 */
export function appRecordJson(record: LogRecord, name: string): string {
  return `${JSON.stringify({
    level: PINO_LEVEL[record.level], time: record.time, name, kind: record.kind, slot: record.slot, pid: record.pid,
    stream: record.stream, msg: record.msg, json: record.json,
  })}\n`;
}

/**
 * One readable line, as `pm2 logs --time` shows them:
 *   14:10:21.123  0|2345  out    hello
 *   14:10:21.130  sticky  WARN   worker 2345 (slot 0) exited with code 1; restarting in 100 ms
 */
export function formatLogRecord(record: LogRecord, color: boolean): string {
  const paint = (code: string, s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const who = record.slot === undefined ? 'sticky' : `${record.slot}|${record.pid ?? '-'}`;
  const what = record.kind === 'app' ? (record.stream === 'stderr' ? 'err' : 'out') : record.level.toUpperCase();
  const text = record.json && record.msg === '' ? JSON.stringify(record.json) : record.msg;
  const tone = record.level === 'error' ? '31' : record.level === 'warn' ? '33' : record.kind === 'app' ? '0' : '32';
  return `${paint('90', formatClock(record.time, true))}  ${who.padEnd(7)} ${paint(tone, what.padEnd(5))}  ${text}\n`;
}
