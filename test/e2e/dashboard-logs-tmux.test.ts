// The dashboard's log pane (`l`) and key help (`?`) in an 80x24 tmux pane, against `sticky
// start` with two workers of an app that prints a line per request.
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { get, loopbackAddresses, type Served } from '../helpers/clients.js';
import { STICKY_BIN, makeProject, removeProject, uniqueName } from '../helpers/cli.js';
import { runInstance, type Instance } from '../helpers/sticky-instance.js';
import { TmuxPane } from '../helpers/tmux.js';
import { waitFor } from '../helpers/wait-for.js';

const name = uniqueName('dlogs');
const dir = makeProject('dashboard-logs', {
  'sticky.config.json': JSON.stringify({ name, script: './app.js', port: 0, host: '127.0.0.1', workers: 2 }),
});
copyFileSync(path.join(__dirname, '../fixtures/logs/chatty-app.js'), path.join(dir, 'app.js'));
let instance: Instance | undefined;
let pane: TmuxPane | undefined;

afterAll(async () => {
  pane?.close();
  await instance?.cleanUp();
  removeProject(dir);
});

/** Log pane rows: time, slot|pid, the line. */
function logRows(screen: string): { slot: number; pid: number; text: string }[] {
  return [...screen.matchAll(/^\d\d:\d\d:\d\d (\d+)\|(\d+) +(.*)$/gm)].map((m) => ({ slot: Number(m[1]), pid: Number(m[2]), text: m[3]! }));
}

test('l shows the selected slot\'s lines, then every slot\'s, then events; ? lists every key', async () => {
  instance = await runInstance({ dir, workers: 2 });
  const served: Served[] = [];
  for (const address of loopbackAddresses(6, 40)) served.push(await get(instance.port, address, { path: `/before/${address}` }));
  const pidOf = (slot: string): number => served.find((s) => s.slot === slot)!.pid;
  expect(new Set(served.map((s) => s.slot)).size).toBe(2);

  pane = await TmuxPane.open(80, 24, instance.env);
  pane.run(`node ${STICKY_BIN} status --name ${name}; echo "DASHBOARD_EXIT=$?"`);
  await waitFor(() => pane!.capture().includes(' l logs  ? help'), 15_000, 'the dashboard with its keys');

  pane.keys('?');
  const help = await waitFor(() => {
    const text = pane!.capture();
    return text.includes('keys (? to close)') && text;
  }, 5_000, 'the help');
  for (const key of ['q, Ctrl-C', '↑/↓, k/j', 'r ', 'y / n, Esc', 'l ', '? ']) expect(help).toContain(` ${key}`);
  expect(help).toMatch(/log pane/);
  pane.keys('?');
  await waitFor(() => !pane!.capture().includes('keys (? to close)'), 5_000, 'the help closed');

  // The first slot is selected: only its lines.
  pane.keys('l');
  const slot0 = await waitFor(() => {
    const text = pane!.capture();
    return text.includes('logs of slot 0') && logRows(text).some((r) => r.text.startsWith('request /before/')) && text;
  }, 5_000, 'slot 0\'s lines');
  const rows0 = logRows(slot0);
  expect(rows0.every((r) => r.slot === 0 && r.pid === pidOf('0'))).toBe(true);
  expect(rows0.filter((r) => r.text.startsWith('request /before/')).length).toBe(served.filter((s) => s.slot === '0').length);

  // Every slot's, and a line printed now reaches the pane.
  pane.keys('l');
  const late = await get(instance.port, '127.0.0.77', { path: '/late' });
  const all = await waitFor(() => {
    const text = pane!.capture();
    return text.includes('logs of all slots') && logRows(text).some((r) => r.text.startsWith('request /late ')) && text;
  }, 5_000, 'every slot\'s lines with the late one');
  const rows = logRows(all);
  expect(new Set(rows.map((r) => r.slot))).toEqual(new Set([0, 1]));
  expect(rows.find((r) => r.text.startsWith('request /late '))).toMatchObject({ slot: Number(late.slot), pid: late.pid });
  for (const line of all.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);

  pane.keys('l');
  await waitFor(() => pane!.capture().includes('─ events'), 5_000, 'the events pane back');
  pane.keys('q');
  await waitFor(() => pane!.capture().includes('DASHBOARD_EXIT=0'), 5_000, 'the dashboard to quit');
}, 120_000);
