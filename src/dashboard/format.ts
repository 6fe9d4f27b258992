/** Text helpers for the dashboard: fixed-width cells, units, blessed tag escaping. Pure. */

/** Glyphs for terminals with and without UTF-8 (blessed would turn the former into '?'). */
export interface Glyphs {
  rule: string;
  barFull: string;
  barEighths: string[];
  barEmpty: string;
  branch: string;
  pointer: string;
  ellipsis: string;
}

export const UNICODE_GLYPHS: Glyphs = {
  rule: '─',
  barFull: '█',
  barEighths: ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'],
  barEmpty: '·',
  branch: '└',
  pointer: '›',
  ellipsis: '…',
};

export const ASCII_GLYPHS: Glyphs = {
  rule: '-',
  barFull: '#',
  barEighths: ['', '', '', '', '', '', '', ''],
  barEmpty: '.',
  branch: '`',
  pointer: '>',
  ellipsis: '~',
};

/** Makes user-controlled text (names, event messages) inert in a tags-enabled blessed box. */
export function escapeTags(text: string): string {
  return text.replace(/[{}]/g, (ch) => (ch === '{' ? '{open}' : '{close}'));
}

/** Drops control characters (ANSI escapes included) that would move the cursor or recolour the screen. */
export function printable(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/[\x00-\x1f\x7f]/g, ' ');
}

/** Pads or truncates `text` to exactly `width` columns. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left', ellipsis = '…'): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? text.slice(0, 1) : text.slice(0, width - 1) + ellipsis;
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** 0s, 59s, 4m05s, 2h07m, 3d04h: two units at most, so it fits a narrow column. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const two = (n: number) => String(n).padStart(2, '0');
  if (ms < MINUTE_MS) return `${Math.floor(ms / SECOND_MS)}s`;
  if (ms < HOUR_MS) return `${Math.floor(ms / MINUTE_MS)}m${two(Math.floor((ms % MINUTE_MS) / SECOND_MS))}s`;
  if (ms < DAY_MS) return `${Math.floor(ms / HOUR_MS)}h${two(Math.floor((ms % HOUR_MS) / MINUTE_MS))}m`;
  return `${Math.floor(ms / DAY_MS)}d${two(Math.floor((ms % DAY_MS) / HOUR_MS))}h`;
}

/** Binary units, at most five characters: 512B, 48.8M, 123M, 1.2G. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '-';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)}B`;
  return value < 100 ? `${value.toFixed(1)}${units[unit]}` : `${Math.round(value)}${units[unit]}`;
}

/** Connections per second: one decimal below 100, then whole numbers, then thousands. */
export function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined || !Number.isFinite(perSecond)) return '-';
  if (perSecond < 100) return perSecond.toFixed(1);
  if (perSecond < 10_000) return String(Math.round(perSecond));
  return `${(perSecond / 1000).toFixed(0)}k`;
}

export function formatPercent(percent: number): string {
  return Number.isFinite(percent) ? percent.toFixed(1) : '-';
}

/** A bar `width` columns wide filled to `share` (0..1), in eighths where the glyphs allow. */
export function bar(share: number, width: number, glyphs: Glyphs): string {
  if (width <= 0) return '';
  const clamped = Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : 0;
  const eighths = Math.round(clamped * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = full < width ? glyphs.barEighths[eighths % 8] ?? '' : '';
  const filled = glyphs.barFull.repeat(full) + partial;
  return filled + glyphs.barEmpty.repeat(width - full - (partial ? 1 : 0));
}

/** `─ title ───…` across `width` columns. */
export function rule(title: string, width: number, glyphs: Glyphs): string {
  const head = `${glyphs.rule} ${title} `;
  return head.length <= width ? head + glyphs.rule.repeat(width - head.length) : fit(head, width, 'left', glyphs.ellipsis);
}

/** HH:MM:SS of a wall-clock time, for the events pane. */
export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
