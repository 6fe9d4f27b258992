import { describe, expect, it } from 'vitest';
import { ASCII_GLYPHS, UNICODE_GLYPHS } from '../../src/dashboard/format';
import { DashboardModel } from '../../src/dashboard/model';
import { HELP_KEYS, buildView, planHeights, wrap, type DashboardView, type ViewOptions } from '../../src/dashboard/view';
import { appRecord } from '../../src/log/app-record';
import { statusSnapshot, workerStatus } from '../helpers/status-snapshot';

/** What a tagged line shows on screen. */
function plain(line: string): string {
  return line.replace(/\{(\/?[a-z0-9-]*)\}/g, (_, tag: string) => (tag === 'open' ? '{' : tag === 'close' ? '}' : ''));
}

function screenLines(view: DashboardView): string[] {
  return [...view.header, ...view.table, ...view.details, ...view.events, view.footer].map(plain);
}

const at80x24: ViewOptions = { width: 80, height: 24, nowMs: 50_000, glyphs: UNICODE_GLYPHS };

function model(...snapshots: Parameters<typeof statusSnapshot>[0][]): DashboardModel {
  const m = new DashboardModel('chat', 0);
  snapshots.forEach((s, i) => m.applySnapshot(statusSnapshot(s), 40_000 + i * 1_000));
  return m;
}

describe('dashboard view', () => {
  it('gives every row of the terminal to exactly one pane', () => {
    for (const height of [1, 5, 10, 12, 24, 50]) {
      for (const rows of [0, 2, 8, 64]) {
        const h = planHeights(height, rows);
        expect(h.header + h.table + h.details + h.events + h.footer, `${height} rows, ${rows} workers`).toBe(Math.max(height, 3));
        expect(Math.min(h.table, h.details, h.events)).toBeGreaterThanOrEqual(0);
      }
    }
    expect(planHeights(24, 2)).toEqual({ header: 2, table: 4, details: 4, events: 13, footer: 1 });
  });

  it('shows the header: name, routing, address, uptime and totals', () => {
    const m = model(
      { uptimeMs: 9_000, workers: [workerStatus({ slot: 0, pid: 10, uptimeMs: 9_000, total: 100 })] },
      { uptimeMs: 10_000, workers: [workerStatus({ slot: 0, pid: 10, uptimeMs: 10_000, total: 105, active: 4 })] },
    );
    m.snapshot!.connections = { active: 4, total: 105, rejected: 2, misrouted: 1 };
    const [first, second] = buildView(m, { ...at80x24, nowMs: 41_000 }).header.map(plain);
    expect(first).toBe('sticky chat  routing ip  127.0.0.1:3000  pid 1000  up 10s  live');
    expect(second).toBe('active 4  total 105  conn/s 5.0  rejected 2  misrouted 1  online 1/1');
  });

  it('lays out one aligned row per slot with a share bar, all within 80 columns', () => {
    const m = model({
      workers: [
        workerStatus({ slot: 0, pid: 2345, active: 9, total: 170, restarts: 1, uptimeMs: 299_000, rssBytes: 51_200_000, cpuPercent: 3.14 }),
        workerStatus({ slot: 1, pid: 2346, active: 3, state: 'errored' }),
        workerStatus({ slot: 2, pid: 0, state: 'errored', rssBytes: 0, cpuPercent: 0, uptimeMs: 0, restarts: 5 }),
      ],
    });
    const view = buildView(m, at80x24);
    const lines = screenLines(view);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    const table = view.table.map(plain);
    expect(table[0]).toMatch(/^─ workers ─+$/);
    expect(table[1]).toBe(' SLOT     PID STATE    ACTIVE   TOTAL CONN/S    RSS  CPU% UPTIME RST SHARE');
    expect(table[2]).toBe('›   0    2345 online        9     170      -  48.8M   3.1  4m59s   1 ████▌·  75%');
    expect(table[3]).toBe('    1    2346 errored       3       0      -  50.0M   1.5    10s   0 █▌····  25%');
    expect(table[4]).toBe('    2       - errored       0       0      -     0B   0.0     0s   5 ······   0%');
    expect(view.table[3]).toContain('{red-fg}{bold}errored ');
    expect(view.table[2]).toMatch(/^\{inverse\}.*\{\/inverse\}$/);
  });

  it('shows a draining worker under its slot with connections left and a countdown', () => {
    const m = model({
      workers: [
        workerStatus({ slot: 0, pid: 20, state: 'online', active: 1 }),
        workerStatus({ slot: 0, pid: 10, state: 'draining', active: 3, drainDeadlineMs: 25_000 }),
      ],
    });
    const row = (nowMs: number) => plain(buildView(m, { ...at80x24, nowMs }).table[3]!);
    expect(row(40_000)).toBe('   └       10 draining      3 left, forced close in 25s');
    expect(row(50_000)).toBe('   └       10 draining      3 left, forced close in 15s');
    expect(row(90_000)).toContain('forced close in 0s');
    const details = buildView(m, at80x24).details.map(plain);
    expect(details[3]).toBe('beside it: pid 10 draining, 3 connections left, forced close in 15s');
    m.applySnapshot(statusSnapshot({ workers: [workerStatus({ slot: 0, pid: 20, uptimeMs: 9_000 }), workerStatus({ slot: 0, pid: 30, state: 'starting', uptimeMs: 50 })] }), 50_000);
    expect(plain(buildView(m, at80x24).table[3]!)).toBe('   └       30 starting      0 replacement starting');
  });

  it('shows the selected worker in the details pane', () => {
    const m = model({ workers: [workerStatus({ slot: 0, pid: 10, active: 1 }), workerStatus({ slot: 1, pid: 11, active: 3, total: 40, restarts: 2 })] });
    m.moveSelection(1);
    const view = buildView(m, at80x24);
    expect(view.details.map(plain).slice(1, 3)).toEqual([
      'slot 1  pid 11  online  up 10s  restarts 2  rss 50.0M  cpu 1.5%',
      'connections 3 active (75% of 4)  40 total  -/s',
    ]);
    expect(plain(view.table[3]!).startsWith('›')).toBe(true);
  });

  it('scrolls the worker rows to keep the selection in view in a small terminal', () => {
    const m = model({ workers: Array.from({ length: 16 }, (_, slot) => workerStatus({ slot, pid: 500 + slot })) });
    for (let i = 0; i < 12; i++) m.moveSelection(1);
    const view = buildView(m, at80x24);
    const table = view.table.map(plain);
    expect(table[0]).toContain('of 16 rows');
    expect(table.find((line) => line.startsWith('›'))).toContain('512');
    expect(table).toHaveLength(view.heights.table);
    expect(Object.values(view.heights).reduce((a, b) => a + b)).toBe(24);
  });

  it('fills the events pane with the newest events, escaped and coloured by level', () => {
    const m = model({});
    for (let i = 0; i < 30; i++) m.addNote(i === 29 ? 'error' : 'info', 'test', `event ${i} {bold}`, 40_000 + i);
    const events = buildView(m, at80x24).events;
    expect(events).toHaveLength(13);
    expect(plain(events[12]!)).toMatch(/^\d\d:\d\d:\d\d test: event 29 \{bold\}$/);
    expect(plain(events[1]!)).toContain('event 18');
    expect(events[12]).toContain('{red-fg}');
  });

  it('continues a long event on indented lines, keeping the newest at the bottom', () => {
    expect(wrap('aaa bbb ccc ddd', 7, 3, '…')).toEqual(['aaa bbb', 'ccc ddd']);
    expect(wrap('abcdefghij', 4, 2, '…')).toEqual(['abcd', 'efg…']);
    const m = model({});
    m.addNote('error', 'exit', 'worker 2001 exited with code 1: ' + 'Error: listen EADDRINUSE '.repeat(4), 40_000);
    m.addNote('info', 'reload', 'complete', 40_001);
    const events = buildView(m, at80x24).events.map(plain);
    expect(events).toHaveLength(4);
    expect(events[1]).toMatch(/^\d\d:\d\d:\d\d exit: worker 2001 exited with code 1: Error: listen EADDRINUSE Error:$/);
    expect(events[2]).toMatch(/^ {9}listen EADDRINUSE Error: listen EADDRINUSE Error: listen EADDRINUSE$/);
    expect(events[3]).toMatch(/reload: complete$/);
    for (const line of events) expect(line.length).toBeLessThanOrEqual(80);
    // With room for two event lines only the newest event and the end of the one before it show.
    const small = buildView(m, { ...at80x24, height: 2 + 1 + 3 + 4 + 3 + 1 - 1 }).events.map(plain);
    expect(small.slice(1)).toEqual([events[2], events[3]]);
  });

  it('shows the reload confirmation, its progress and its outcome in the footer', () => {
    const m = model({});
    expect(plain(buildView(m, at80x24).footer)).toBe(' q quit  r reload  ↑/↓ select  l logs  ? help');
    m.requestReload();
    expect(plain(buildView(m, at80x24).footer)).toBe(' Reload all 2 workers of chat? (y/n) ');
    m.answerReload(true, 50_000);
    m.addReloadProgress({ slot: 1, phase: 'draining', oldPid: 7 }, 52_000);
    expect(plain(buildView(m, { ...at80x24, nowMs: 53_000 }).footer)).toBe(' reloading 3s: slot 1: draining old worker pid 7');
    m.reloadFinished({ result: null }, 54_000);
    expect(plain(buildView(m, { ...at80x24, nowMs: 55_000 }).footer)).toMatch(/^ reload complete/);
    expect(plain(buildView(m, { ...at80x24, nowMs: 99_000 }).footer)).toBe(' q quit  r reload  ↑/↓ select  l logs  ? help');
  });

  it('says when the control socket is lost and since when', () => {
    const m = model({});
    m.connectionLost('the supervisor closed the control socket', 45_000);
    expect(plain(buildView(m, at80x24).header[0]!)).toMatch(/disconnected 5s$/);
  });

  it('uses plain ASCII when the terminal is not UTF-8', () => {
    const m = model({ workers: [workerStatus({ slot: 0, pid: 10, active: 1 })] });
    const lines = screenLines(buildView(m, { ...at80x24, glyphs: ASCII_GLYPHS }));
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^[\x20-\x7e]*$/);
  });

  it('waits politely for the first snapshot', () => {
    const m = new DashboardModel('ch{at}', 0);
    expect(buildView(m, at80x24).header.map(plain)).toEqual(['sticky ch{at}  live', 'waiting for the first status…']);
  });

  it('l: the selected slot\'s lines, then every slot\'s, then the events again; ? lists every key', () => {
    const m = model({});
    m.addLogBacklog([appRecord(0, 2001, 'stdout', 'zero says hi', 1_000), appRecord(1, 2002, 'stderr', '{"msg":"","x":1}', 2_000)]);
    m.addLogLine(appRecord(1, 2002, 'stdout', 'one {says} hi', 3_000));
    m.addLogLine({ time: 3_500, level: 'info', kind: 'worker-online', msg: 'not an app line' });
    expect(screenLines(buildView(m, at80x24)).join('\n')).toContain('─ events');
    m.cyclePane();
    let lines = screenLines(buildView(m, at80x24));
    expect(lines.find((l) => l.startsWith('─ logs of slot 0'))).toBeDefined();
    expect(lines.filter((l) => /^\d\d:\d\d:\d\d \d\|/.test(l))).toEqual(['00:00:01 0|2001   zero says hi']);
    m.moveSelection(1);
    lines = screenLines(buildView(m, at80x24));
    expect(lines.filter((l) => /^\d\d:\d\d:\d\d \d\|/.test(l))).toEqual(['00:00:02 1|2002   {"msg":"","x":1}', '00:00:03 1|2002   one {says} hi']);
    m.cyclePane();
    lines = screenLines(buildView(m, at80x24));
    expect(lines.find((l) => l.startsWith('─ logs of all slots'))).toBeDefined();
    expect(lines.filter((l) => /^\d\d:\d\d:\d\d \d\|/.test(l))).toHaveLength(3);
    // A reconnect's backlog replaces the lines held, keeping those pushed after it.
    m.addLogLine(appRecord(0, 2001, 'stdout', 'pushed first', 9_000));
    m.addLogBacklog([appRecord(0, 2001, 'stdout', 'zero says hi', 1_000), appRecord(1, 2002, 'stdout', 'one {says} hi', 3_000)]);
    expect(m.logLines.map((r) => r.msg)).toEqual(['zero says hi', 'one {says} hi', 'pushed first']);
    m.cyclePane();
    expect(m.pane).toBe('events');

    m.toggleHelp();
    const help = screenLines(buildView(m, at80x24));
    expect(help.find((l) => l.startsWith('─ keys (? to close)'))).toBeDefined();
    for (const [keys, what] of HELP_KEYS) expect(help.some((l) => l.includes(keys) && l.includes(what))).toBe(true);
    for (const key of ['q', 'r', 'y / n', '↑/↓', 'l', '?']) expect(HELP_KEYS.some(([keys]) => keys.includes(key))).toBe(true);
    m.toggleHelp();
    expect(screenLines(buildView(m, at80x24)).join('\n')).not.toContain('keys (? to close)');
  });
});
