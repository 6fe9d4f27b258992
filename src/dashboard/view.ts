/**
 * Model → the dashboard's text: blessed-tagged lines for each pane and how tall each pane is for
 * a given terminal size. Pure; the layout only copies these into widgets.
 */
import type { WorkerStatus } from '../control/protocol';
import {
  bar,
  escapeTags,
  fit,
  formatRate,
  rule,
  type Glyphs,
} from './format';
import { formatBytes, formatClock, formatDuration, formatPercent } from '../text/units.js';
import type { DashboardModel, EventLine, SlotEntry } from './model';

export interface ViewOptions {
  width: number;
  height: number;
  nowMs: number;
  glyphs: Glyphs;
}

export interface PaneHeights {
  header: number;
  table: number;
  details: number;
  events: number;
  footer: number;
}

export interface DashboardView {
  heights: PaneHeights;
  header: string[];
  table: string[];
  details: string[];
  events: string[];
  footer: string;
}

const HEADER_LINES = 2;
const FOOTER_LINES = 1;
const DETAILS_LINES = 4;
const EVENTS_MIN_LINES = 3;
/** Rule + column names + at least one worker row. */
const TABLE_MIN_LINES = 3;
const NOTICE_SHOWN_MS = 15_000;
/** Events pane: "HH:MM:SS " before the text; continuation lines are indented as far. */
const EVENT_INDENT = 9;
const EVENT_MAX_LINES = 3;

const STATE_COLOURS: Record<WorkerStatus['state'], string[]> = {
  starting: ['yellow-fg'],
  online: ['green-fg'],
  draining: ['magenta-fg'],
  stopped: ['gray-fg'],
  errored: ['red-fg', 'bold'],
  unresponsive: ['red-fg', 'bold'],
};
const LEVEL_COLOURS: Record<EventLine['level'], string[]> = { info: [], warn: ['yellow-fg'], error: ['red-fg'] };

/** Column widths; the share bar takes what is left of the line. */
const COLUMNS = [
  { title: 'SLOT', width: 4 },
  { title: 'PID', width: 7 },
  { title: 'STATE', width: 8 },
  { title: 'ACTIVE', width: 6 },
  { title: 'TOTAL', width: 7 },
  { title: 'CONN/S', width: 6 },
  { title: 'RSS', width: 6 },
  { title: 'CPU%', width: 5 },
  { title: 'UPTIME', width: 6 },
  { title: 'RST', width: 3 },
] as const;
const MARKER_WIDTH = 1;
const FIXED_WIDTH = MARKER_WIDTH + COLUMNS.reduce((sum, column) => sum + column.width + 1, 0);
const SHARE_LABEL_WIDTH = 5;
/** Wider bars add nothing to the comparison and push the percentages out of sight. */
const MAX_BAR_WIDTH = 40;

/** Wraps `text` in tags closed by name, so an enclosing tag (the selection's inverse) survives. */
function colour(tags: string | string[], text: string): string {
  const list = typeof tags === 'string' ? [tags] : tags;
  const open = list.map((tag) => `{${tag}}`).join('');
  const close = [...list].reverse().map((tag) => `{/${tag}}`).join('');
  return open + text + close;
}

/** Splits the terminal's rows between panes: header, table, details, events, footer. */
export function planHeights(height: number, tableRows: number): PaneHeights {
  let rest = Math.max(0, height - HEADER_LINES - FOOTER_LINES);
  const table = Math.min(rest, Math.min(2 + tableRows, Math.max(TABLE_MIN_LINES, rest - DETAILS_LINES - EVENTS_MIN_LINES)));
  rest -= table;
  const details = Math.min(DETAILS_LINES, Math.max(0, rest - EVENTS_MIN_LINES));
  rest -= details;
  return { header: HEADER_LINES, table, details, events: rest, footer: FOOTER_LINES };
}

export function buildView(model: DashboardModel, options: ViewOptions): DashboardView {
  const entries = model.slots();
  const rows = tableRows(model, entries, options);
  const heights = planHeights(options.height, rows.length);
  return {
    heights,
    header: header(model, options),
    table: windowTable(rows, model.selectedSlot, heights.table, options),
    details: heights.details > 0 ? details(model, entries, options).slice(0, heights.details) : [],
    events: heights.events > 0 ? bottomPane(model, heights.events, options) : [],
    footer: footer(model, entries.length, options),
  };
}

function header(model: DashboardModel, { width, nowMs, glyphs }: ViewOptions): string[] {
  const snapshot = model.snapshot;
  const link =
    model.link.kind === 'connected'
      ? colour('green-fg', 'live')
      : colour('red-fg', `disconnected ${formatDuration(nowMs - model.link.sinceMs, 'compact')}`);
  if (!snapshot) return [`{bold}sticky ${escapeTags(model.name)}{/bold}  ${link}`, 'waiting for the first status…'];
  const uptime = snapshot.uptimeMs + (model.link.kind === 'connected' ? nowMs - model.receivedAtMs : 0);
  const first = [
    `sticky ${snapshot.name}`,
    `routing ${snapshot.routing}`,
    `${snapshot.host}:${snapshot.port}`,
    `pid ${snapshot.pid}`,
    `up ${formatDuration(uptime, 'compact')}`,
  ];
  const text = fit(first.join('  '), Math.max(0, width - 14), 'left', glyphs.ellipsis).trimEnd();
  const { active, total, rejected, misrouted } = snapshot.connections;
  const online = snapshot.workers.filter((w) => w.state === 'online').length;
  const slots = model.slots().length;
  const warn = (n: number) => (n > 0 ? colour('yellow-fg', String(n)) : String(n));
  return [
    `{bold}${escapeTags(text)}{/bold}  ${link}`,
    `active {bold}${active}{/bold}  total ${total}  conn/s ${formatRate(model.connectionRate)}  ` +
      `rejected ${warn(rejected)}  misrouted ${warn(misrouted)}  online ${online}/${slots}`,
  ];
}

interface TableRow {
  slot: number;
  text: string;
}

function cells(values: string[]): string {
  return values.map((value, i) => fit(value, COLUMNS[i]!.width, i === 2 ? 'left' : 'right')).join(' ');
}

/** Active connections over every worker, old ones draining included: the whole of the share bars. */
function activeSum(entries: SlotEntry[]): number {
  return entries.reduce((sum, e) => sum + e.worker.active + e.others.reduce((s, o) => s + o.active, 0), 0);
}

/** What a worker beside the slot's current one is doing: draining (with its deadline) or starting. */
function besideText(model: DashboardModel, other: WorkerStatus, nowMs: number): string {
  if (other.state !== 'draining') return other.state === 'starting' ? 'replacement starting' : other.state;
  if (other.drainDeadlineMs === undefined) return 'left';
  const leftMs = Math.max(0, other.drainDeadlineMs - (nowMs - model.receivedAtMs));
  return `left, forced close in ${formatDuration(leftMs, 'compact')}`;
}

function tableRows(model: DashboardModel, entries: SlotEntry[], { width, nowMs, glyphs }: ViewOptions): TableRow[] {
  const allActive = activeSum(entries);
  const barWidth = Math.min(MAX_BAR_WIDTH, Math.max(0, width - FIXED_WIDTH - SHARE_LABEL_WIDTH));
  const rows: TableRow[] = [];
  for (const { slot, worker, others } of entries) {
    const share = allActive > 0 ? worker.active / allActive : 0;
    const plain = cells([
      String(slot),
      // pid 0: the slot has no process right now (waiting out a restart backoff).
      worker.pid > 0 ? String(worker.pid) : '-',
      worker.state,
      String(worker.active),
      String(worker.total),
      formatRate(model.workerRate(worker.pid)),
      formatBytes(worker.rssBytes, 'compact'),
      formatPercent(worker.cpuPercent),
      formatDuration(worker.uptimeMs, 'compact'),
      String(worker.restarts),
    ]);
    const shareText = barWidth > 0 ? ` ${bar(share, barWidth, glyphs)}${fit(`${Math.round(share * 100)}%`, SHARE_LABEL_WIDTH, 'right')}` : '';
    rows.push({ slot, text: withStateColour(plain, worker.state) + colour('cyan-fg', shareText) });
    for (const other of others) {
      const prefix = cells([`${glyphs.branch} `, String(other.pid), other.state, String(other.active)]);
      const text = besideText(model, other, nowMs);
      rows.push({ slot, text: `${withStateColour(prefix, other.state)} ${text}` });
    }
  }
  return rows;
}

/** Colours the STATE cell of a row built by cells(): it always sits at the same offset. */
function withStateColour(plain: string, state: WorkerStatus['state']): string {
  const start = COLUMNS[0].width + 1 + COLUMNS[1].width + 1;
  const end = start + COLUMNS[2].width;
  return plain.slice(0, start) + colour(STATE_COLOURS[state], plain.slice(start, end)) + plain.slice(end);
}

/** The table pane: rule, column names, then the rows that fit, keeping the selection in view. */
function windowTable(rows: TableRow[], selected: number | undefined, height: number, { width, glyphs }: ViewOptions): string[] {
  if (height <= 0) return [];
  const names = ' ' + cells(COLUMNS.map((c) => c.title)) + (width - FIXED_WIDTH >= SHARE_LABEL_WIDTH + 1 ? ' SHARE' : '');
  const lines = [rule('workers', width, glyphs), `{bold}${names}{/bold}`].slice(0, height);
  const room = height - lines.length;
  if (room <= 0) return lines;
  const at = Math.max(0, rows.findIndex((row) => row.slot === selected));
  const first = Math.min(Math.max(0, at - room + 1), Math.max(0, rows.length - room));
  const hidden = rows.length - room;
  for (const [i, row] of rows.slice(first, first + room).entries()) {
    const isSelected = row.slot === selected && rows[first + i - 1]?.slot !== row.slot;
    const marker = isSelected ? glyphs.pointer : ' ';
    lines.push(isSelected ? `{inverse}${marker}${row.text}{/inverse}` : marker + row.text);
  }
  if (hidden > 0) lines[0] = rule(`workers (${rows.length - hidden} of ${rows.length} rows, ↑↓ scroll)`, width, glyphs);
  return lines;
}

function details(model: DashboardModel, entries: SlotEntry[], { width, glyphs, nowMs }: ViewOptions): string[] {
  const lines = [rule('details', width, glyphs)];
  const entry = entries.find((e) => e.slot === model.selectedSlot);
  if (!entry) return [...lines, 'no workers'];
  const { worker, others } = entry;
  const allActive = activeSum(entries);
  const share = allActive > 0 ? Math.round((worker.active / allActive) * 100) : 0;
  lines.push(
    `slot ${entry.slot}  pid ${worker.pid}  ${colour(STATE_COLOURS[worker.state], worker.state)}  up ${formatDuration(worker.uptimeMs, 'compact')}  ` +
      `restarts ${worker.restarts}  rss ${formatBytes(worker.rssBytes, 'compact')}  cpu ${formatPercent(worker.cpuPercent)}%`,
    `connections ${worker.active} active (${share}% of ${allActive})  ${worker.total} total  ${formatRate(model.workerRate(worker.pid))}/s`,
  );
  const other = others[0];
  const about = new RegExp(`\\b(slot ${entry.slot}|${worker.pid})\\b`);
  const lastEvent = [...model.events].reverse().find((e) => about.test(e.text));
  if (other) {
    const more = others.length > 1 ? ` (+${others.length - 1} more)` : '';
    const doing = other.state === 'draining' ? `${other.active} connections ${besideText(model, other, nowMs)}` : besideText(model, other, nowMs);
    lines.push(`beside it: pid ${other.pid} ${other.state}, ${doing}${more}`);
  } else if (lastEvent) {
    lines.push(escapeTags(fit(`last: ${formatClock(lastEvent.time)} ${lastEvent.text}`, width, 'left', glyphs.ellipsis).trimEnd()));
  }
  return lines;
}

/** Every key the dashboard takes, for the `?` overlay. */
export const HELP_KEYS: readonly [string, string][] = [
  ['q, Ctrl-C', 'quit'],
  ['↑/↓, k/j', 'select a worker slot'],
  ['r', 'reload every worker (asks y/n first)'],
  ['y / n, Esc', 'answer the reload question'],
  ['l', 'log pane: events → selected slot\'s lines → all slots\' lines'],
  ['?', 'show / hide this help'],
];

/** The bottom pane: the help, the workers' lines, or the events. */
function bottomPane(model: DashboardModel, height: number, options: ViewOptions): string[] {
  if (model.helpShown) {
    const keyWidth = Math.max(...HELP_KEYS.map(([keys]) => keys.length));
    const rows = HELP_KEYS.map(([keys, what]) => ` {bold}${escapeTags(keys.padEnd(keyWidth))}{/bold}  ${escapeTags(what)}`);
    return [rule('keys (? to close)', options.width, options.glyphs), ...rows].slice(0, height);
  }
  if (model.pane === 'events') return eventLines(model, height, options);
  return logLines(model, height, options);
}

/** The newest app lines that fit, one row each: time, slot|pid, the line. */
function logLines(model: DashboardModel, height: number, { width, glyphs }: ViewOptions): string[] {
  const title = model.pane === 'slot-logs' ? `logs of slot ${model.selectedSlot ?? '-'} (l: all slots)` : 'logs of all slots (l: events)';
  const records = model.shownLogLines().slice(-Math.max(0, height - 1));
  const lines = records.map((r) => {
    const text = r.json && r.msg === '' ? JSON.stringify(r.json) : r.msg;
    const who = `${r.slot ?? '-'}|${r.pid ?? '-'}`.padEnd(8);
    const body = fit(`${who} ${text}`, Math.max(1, width - EVENT_INDENT), 'left', glyphs.ellipsis).trimEnd();
    return `${colour('gray-fg', formatClock(r.time))} ${colour(r.stream === 'stderr' ? 'red-fg' : [], escapeTags(body))}`;
  });
  if (lines.length === 0) lines.push(colour('gray-fg', 'no lines yet'));
  return [rule(title, width, glyphs), ...lines];
}

/** Newest events last; a long one continues on up to EVENT_MAX_LINES indented lines. */
function eventLines(model: DashboardModel, height: number, { width, glyphs }: ViewOptions): string[] {
  const textWidth = Math.max(1, width - EVENT_INDENT);
  const lines: string[] = [];
  for (let i = model.events.length - 1; i >= 0 && lines.length < height - 1; i--) {
    const e = model.events[i]!;
    const parts = wrap(e.text, textWidth, EVENT_MAX_LINES, glyphs.ellipsis);
    const shown = parts.map((part, n) => {
      const prefix = n === 0 ? colour('gray-fg', formatClock(e.time)) + ' ' : ' '.repeat(EVENT_INDENT);
      return prefix + colour(LEVEL_COLOURS[e.level], escapeTags(part));
    });
    lines.unshift(...shown.slice(Math.max(0, shown.length - (height - 1 - lines.length))));
  }
  return [rule('events', width, glyphs), ...lines];
}

/** Splits `text` into lines of at most `width` at spaces where it can; the last line is cut with an ellipsis. */
export function wrap(text: string, width: number, maxLines: number, ellipsis: string): string[] {
  const lines: string[] = [];
  let rest = text.trimEnd();
  while (rest.length > width && lines.length < maxLines - 1) {
    const space = rest.lastIndexOf(' ', width);
    const cut = space > width / 2 ? space : width;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  lines.push(fit(rest, width, 'left', ellipsis).trimEnd());
  return lines;
}

function footer(model: DashboardModel, slotCount: number, { nowMs, width, glyphs }: ViewOptions): string {
  const prompt = model.prompt;
  const keys = ' {bold}q{/bold} quit  {bold}r{/bold} reload  {bold}↑/↓{/bold} select  {bold}l{/bold} logs  {bold}?{/bold} help';
  switch (prompt.kind) {
    case 'confirm-reload':
      return colour(['yellow-bg', 'black-fg'], ` Reload all ${slotCount} workers of ${escapeTags(model.name)}? (y/n) `);
    case 'reloading':
      return colour('cyan-fg', ` reloading ${formatDuration(nowMs - prompt.sinceMs, 'compact')}: ${escapeTags(fit(prompt.status, Math.max(0, width - 24), 'left', glyphs.ellipsis).trimEnd())}`);
    case 'notice':
      if (nowMs - prompt.atMs < NOTICE_SHOWN_MS) {
        return `${colour(LEVEL_COLOURS[prompt.level], ' ' + escapeTags(fit(prompt.text, Math.max(0, width - 30), 'left', glyphs.ellipsis).trimEnd()))}  ${keys}`;
      }
      return keys;
    case 'none':
      return keys;
  }
}
