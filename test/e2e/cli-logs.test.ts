// `sticky logs` against a running instance with two workers: the last N lines with time,
// slot and pid, --json records, --follow streaming until SIGTERM; exit 1 when nothing runs.
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import type { LogRecord } from '../../src/control/protocol.js';
import { get, loopbackAddresses, type Served } from '../helpers/clients.js';
import { STICKY_BIN, makeProject, removeProject, runCli, uniqueName } from '../helpers/cli.js';
import { startNode } from '../helpers/processes.js';
import { runInstance, type Instance } from '../helpers/sticky-instance.js';
import { waitFor } from '../helpers/wait-for.js';

const name = uniqueName('logs');
const dir = makeProject('cli-logs', {
  'sticky.config.json': JSON.stringify({ name, script: './app.js', port: 0, host: '127.0.0.1', workers: 2 }),
});
copyFileSync(path.join(__dirname, '../fixtures/logs/chatty-app.js'), path.join(dir, 'app.js'));
let instance: Instance | undefined;

afterAll(async () => {
  await instance?.cleanUp();
  removeProject(dir);
});

const TEXT_LINE = /^\d\d:\d\d:\d\d\.\d{3} {2}(\d+)\|(\d+) +out {4}(.*)$/;

test('sticky logs: last lines, --json, --follow; exit 1 when nothing runs', async () => {
  instance = await runInstance({ dir, workers: 2 });
  const { env, port } = instance;
  const served: Served[] = [];
  for (const address of loopbackAddresses(6, 20)) served.push(await get(port, address, { path: `/${address}` }));
  expect(new Set(served.map((s) => s.slot)).size).toBe(2);
  const last = served.at(-1)!;
  // The primary records what it reads; wait until the last request's line is in.
  await waitFor(() => instance!.primary.lines.some((l) => l.includes(`request /${last.remote} `)), 10_000, 'the last line');

  const text = await runCli(['logs', '--lines', '6'], { cwd: dir, env });
  expect(text.code).toBe(0);
  const shown = text.stdout.trimEnd().split('\n');
  expect(shown).toHaveLength(6);
  for (const [i, s] of served.entries()) {
    const m = TEXT_LINE.exec(shown[i]!);
    expect(m, shown[i]).not.toBeNull();
    expect([m![1], Number(m![2]), m![3]]).toEqual([s.slot, s.pid, `request /${s.remote} served by ${s.pid} in slot ${s.slot}`]);
  }

  const json = await runCli(['logs', '--json'], { cwd: dir, env });
  expect(json.code).toBe(0);
  const records = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as LogRecord);
  // Default 50, fewer when fewer happened: start-up events and lines, then the requests.
  expect(records.length).toBeLessThanOrEqual(50);
  expect(records.some((r) => r.kind === 'worker-online' && r.level === 'info')).toBe(true);
  expect(records.filter((r) => r.kind === 'app' && r.json?.msg === 'app up').map((r) => r.slot).sort()).toEqual([0, 1]);
  expect(records.at(-1)).toMatchObject({ kind: 'app', slot: Number(last.slot), pid: last.pid, stream: 'stdout' });

  const follow = startNode(STICKY_BIN, ['logs', '--follow', '--lines', '1'], { cwd: dir, env });
  await follow.line(new RegExp(`request /${last.remote} `));
  const more = await get(port, '127.0.0.99', { path: '/followed' });
  const m = TEXT_LINE.exec((await follow.line(/^.*request \/followed .*$/))[0])!;
  expect([m[1], Number(m[2])]).toEqual([more.slot, more.pid]);
  follow.child.kill('SIGTERM');
  expect(await follow.exited).toEqual({ code: 0, signal: null });
  expect(follow.lines[0]).toContain(`request /${last.remote} `);

  expect((await runCli(['logs', '--lines', 'x'], { cwd: dir, env })).code).toBe(2);
  await instance.stop();
  const none = await runCli(['logs'], { cwd: dir, env });
  expect(none.code).toBe(1);
  expect(none.stderr).toMatch(/not running|no control socket/);
}, 120_000);
