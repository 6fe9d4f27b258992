/**
 * pino's JSON records as one readable line each, for a terminal:
 *   12:03:04.512 INFO  chat  worker online  slot=0 pid=2345
 * A few lines instead of pino-pretty: we print our own records only, and pino-pretty would
 * add a dozen dependencies to every install for it.
 */
import { formatClock } from '../text/units.js';

const LEVELS: Record<number, { label: string; color: string }> = {
  10: { label: 'TRACE', color: '90' },
  20: { label: 'DEBUG', color: '36' },
  30: { label: 'INFO ', color: '32' },
  40: { label: 'WARN ', color: '33' },
  50: { label: 'ERROR', color: '31' },
  60: { label: 'FATAL', color: '35' },
};
const HIDDEN = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname', 'stack']);

export function formatPretty(record: Record<string, unknown>, color: boolean): string {
  const level = LEVELS[record.level as number] ?? { label: String(record.level).padEnd(5), color: '0' };
  const paint = (code: string, s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const time = typeof record.time === 'number' ? formatClock(record.time, true) : '';
  const fields = Object.entries(record)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  let line = `${paint('90', time)} ${paint(level.color, level.label)} ${record.name ?? ''}  ${String(record.msg ?? '')}`;
  if (fields) line += `  ${paint('90', fields)}`;
  if (typeof record.stack === 'string') line += `\n${record.stack}`;
  return `${line}\n`;
}

/** A pino destination that writes each record through formatPretty. */
export function prettyDestination(out: NodeJS.WriteStream, color = out.isTTY === true): { write(line: string): void } {
  return {
    write(line: string): void {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      out.write(formatPretty(record, color));
    },
  };
}
