/**
 * Durations, sizes and clock times for humans, shared by the CLI and the dashboard. Pure.
 * `long` is for lines of text (sticky status, reload); `compact` keeps a narrow column
 * (the dashboard's table) to two units in at most six characters.
 */
export type TextPreset = 'long' | 'compact';

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const DURATION_UNITS = [
  { ms: DAY_MS, name: 'd', next: HOUR_MS, nextName: 'h' },
  { ms: HOUR_MS, name: 'h', next: MINUTE_MS, nextName: 'm' },
  { ms: MINUTE_MS, name: 'm', next: SECOND_MS, nextName: 's' },
] as const;

/**
 * long: 950 → "950ms", 4_900 → "4.9s", 303_000 → "5m 3s", 7_500_000 → "2h 5m", 3 days → "3d 0h".
 * compact: "0s", "4s", "5m03s", "2h05m", "3d00h".
 */
export function formatDuration(ms: number, preset: TextPreset = 'long'): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const unit = DURATION_UNITS.find((u) => ms >= u.ms);
  if (unit === undefined) {
    if (preset === 'compact') return `${Math.floor(ms / SECOND_MS)}s`;
    // Tenths cut down, not rounded: 59_999 ms is "59.9s", never "60.0s".
    return ms < SECOND_MS ? `${Math.floor(ms)}ms` : `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  }
  const major = Math.floor(ms / unit.ms);
  const minor = Math.floor((ms % unit.ms) / unit.next);
  return preset === 'compact'
    ? `${major}${unit.name}${String(minor).padStart(2, '0')}${unit.nextName}`
    : `${major}${unit.name} ${minor}${unit.nextName}`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Binary units. long: "512 B", "48.8 MiB"; compact: "512B", "48.8M", "123M". */
export function formatBytes(bytes: number, preset: TextPreset = 'long'): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '-';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (preset === 'long') return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
  const name = BYTE_UNITS[unit]![0]!;
  if (unit === 0) return `${Math.round(value)}B`;
  return value < 100 ? `${value.toFixed(1)}${name}` : `${Math.round(value)}${name}`;
}

/** A share in percent with one decimal, without the sign: "3.1"; "-" when not a number. */
export function formatPercent(percent: number): string {
  return Number.isFinite(percent) ? percent.toFixed(1) : '-';
}

/**
 * HH:MM:SS (or HH:MM:SS.mmm) in UTC: the CLI, the dashboard and the pretty log show the same
 * time for the same event, whatever the TZ of the shell that runs them.
 */
export function formatClock(epochMs: number, withMs = false): string {
  return new Date(epochMs).toISOString().slice(11, withMs ? 23 : 19);
}
