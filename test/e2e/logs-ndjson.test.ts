// A whole run of `sticky start` with stdout piped (as under systemd or in a container): a
// chatty app, a worker that crashes, a reload. Every stdout line is one JSON object, app
// lines carry the slot and pid of the worker that printed them, and a crash's stack is
// printed once (in the worker-error event), not again as raw stderr lines.
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { makeProject, removeProject, runCli, uniqueName } from '../helpers/cli.js';
import { runInstance, type Instance } from '../helpers/sticky-instance.js';
import { waitFor } from '../helpers/wait-for.js';

const name = uniqueName('ndjson');
const dir = makeProject('logs-ndjson', {
  'sticky.config.json': JSON.stringify({ name, script: './app.js', port: 0, host: '127.0.0.1', workers: 2, restart: { minUptimeMs: 0 } }),
});
copyFileSync(path.join(__dirname, '../fixtures/logs/chatty-app.js'), path.join(dir, 'app.js'));
let instance: Instance | undefined;

afterAll(async () => {
  await instance?.cleanUp();
  removeProject(dir);
});

type Line = Record<string, unknown>;

function parseStrict(line: string): Line {
  const value: unknown = JSON.parse(line);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`not a JSON object: ${line.slice(0, 200)}`);
  return value as Line;
}

test('stdout stays NDJSON through requests, a crash and a reload; app lines are attributed', async () => {
  instance = await runInstance({ dir, workers: 2 });
  const { port } = instance;
  const records = (): Line[] => instance!.primary.lines.map(parseStrict);
  const app = (): Line[] => records().filter((r) => r.kind === 'app');

  const served = [];
  for (const address of loopbackAddresses(6, 10)) served.push(await get(port, address, { path: `/from/${address}` }));
  const slots = new Set(served.map((s) => s.slot));
  expect(slots.size).toBe(2);
  for (const s of served) {
    const line = await waitFor(() => app().find((r) => typeof r.msg === 'string' && r.msg.startsWith(`request /from/${s.remote}`)), 10_000, `the line of ${s.remote}`);
    expect(line).toMatchObject({ kind: 'app', stream: 'stdout', slot: Number(s.slot), pid: s.pid, level: 30, name });
  }

  // The app's own JSON line is an object, not a string inside one.
  const up = app().filter((r) => r.msg === 'app up');
  expect(up.length).toBeGreaterThanOrEqual(2);
  for (const r of up) expect(r.json).toMatchObject({ level: 30, msg: 'app up', app: 'chatty', slot: String(r.slot) });
  // Junk bytes: escaped, colours gone, invalid UTF-8 replaced; the line is still one record.
  const junk = app().find((r) => typeof r.msg === 'string' && r.msg.startsWith('junk:'))!;
  expect(junk.msg).toBe('junk:\\x00red\\x07\uFFFD\uFFFD end');
  // A line over 16 KiB comes in pieces, none lost.
  const pid0 = served.find((s) => s.slot === '0')!.pid;
  const long = await waitFor(() => {
    const pieces = app().filter((r) => r.pid === pid0 && r.stream === 'stderr' && /^x+$/.test(String(r.msg)));
    return pieces.length === 2 ? pieces : undefined;
  }, 10_000, 'the long line in two pieces');
  expect(long.map((r) => String(r.msg).length)).toEqual([16_384, 20_000 - 16_384]);
  expect(long.every((r) => r.level === 50)).toBe(true);

  // A crash: the last line without a newline still comes out, the stack once.
  const victim = served[0]!;
  const crashed = await get(port, loopbackAddresses(1, 10)[0]!, { path: '/crash' });
  expect(crashed.pid).toBe(victim.pid);
  await waitFor(() => app().find((r) => r.pid === victim.pid && r.msg === `partial tail of ${victim.pid}`), 10_000, 'the partial last line');
  const errorEvent = await waitFor(() => records().find((r) => r.kind === 'worker-error' && r.workerPid === victim.pid), 10_000, 'the worker-error event');
  expect(errorEvent.stack).toMatch(new RegExp(`^Error: boom in ${victim.pid}\\n +at `));
  await waitFor(() => records().find((r) => r.kind === 'worker-online' && r.slot === Number(victim.slot) && r.workerPid !== victim.pid), 20_000, 'the replacement online');

  const reload = await runCli(['reload'], { cwd: dir, env: instance.env, timeoutMs: 60_000 });
  expect(reload.code).toBe(0);
  await instance.stop();

  const all = records();
  // The crash is named by the error event and the exit (its message); its stack is in the first only.
  const stackFrame = String(errorEvent.stack).split('\n')[1]!;
  const withStack = all.filter((r) => JSON.stringify(r).includes(JSON.stringify(stackFrame).slice(1, -1)));
  expect(withStack.map((r) => r.kind)).toEqual(['worker-error']);
  expect(all.filter((r) => JSON.stringify(r).includes(`boom in ${victim.pid}`)).map((r) => r.kind)).toEqual(['worker-error', 'worker-crash']);
  expect(instance.primary.stderr.join('')).not.toContain('boom in');
  // Every worker that ran printed its start-up line, and its records name it.
  const forked = new Set(all.filter((r) => r.kind === 'worker-online').map((r) => r.workerPid));
  expect(forked.size).toBeGreaterThanOrEqual(5);
  for (const pid of forked) expect(all.some((r) => r.kind === 'app' && r.pid === pid && r.msg === 'app up')).toBe(true);
  expect(all.at(-1)).toMatchObject({ kind: 'stopped' });
}, 120_000);
