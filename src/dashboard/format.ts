/** Text helpers for the dashboard: fixed-width cells, units, blessed tag escaping. Pure. */
import { stripControls } from '../text/control-chars.js';

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
  return stripControls(text, { replacement: ' ' });
}

/** Pads or truncates `text` to exactly `width` columns. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left', ellipsis = '…'): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? text.slice(0, 1) : text.slice(0, width - 1) + ellipsis;
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

/** Connections per second: one decimal below 100, then whole numbers, then thousands. */
export function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined || !Number.isFinite(perSecond)) return '-';
  if (perSecond < 100) return perSecond.toFixed(1);
  if (perSecond < 10_000) return String(Math.round(perSecond));
  return `${(perSecond / 1000).toFixed(0)}k`;
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
