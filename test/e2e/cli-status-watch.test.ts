// `sticky status --watch`: one JSON snapshot per line (each in the documented schema) until
// the instance stops, then exit 0. And `sticky status` without a terminal prints a table.
import { afterAll, expect, test } from 'vitest';
import type { StatusSnapshot } from '../../src/control/protocol.js';
import { STICKY_BIN, makeProject, removeProject, runCli, uniqueName } from '../helpers/cli.js';
import { runInstance, type Instance } from '../helpers/sticky-instance.js';
import { startNode } from '../helpers/processes.js';
import { statusSchemaProblems } from '../helpers/status-schema.js';
import { waitFor } from '../helpers/wait-for.js';

const name = uniqueName('watch');
const dir = makeProject('status-watch', {
  'server.js': 'module.exports = () => require("node:http").createServer();\n',
  'sticky.config.json': JSON.stringify({ name, script: './server.js', port: 0, host: '127.0.0.1', workers: 1 }),
});
let instance: Instance | undefined;

afterAll(async () => {
  await instance?.cleanUp();
  removeProject(dir);
});

test('status --watch streams snapshots until the instance stops; status prints a table', async () => {
  instance = await runInstance({ dir, workers: 1 });
  const table = await runCli(['status'], { cwd: dir, env: instance.env });
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(new RegExp(`^${name}  pid ${instance.primary.pid}  up `));
  expect(table.stdout).toMatch(/^SLOT +PID +STATE +ACTIVE +TOTAL +RESTARTS +UPTIME +MEMORY +CPU$/m);
  expect(table.stdout).toMatch(new RegExp(`^0 +${instance.online.workers[0]!.pid} +online `, 'm'));

  const watch = startNode(STICKY_BIN, ['status', '--watch'], { env: instance.env, cwd: dir });
  await watch.line(/^\{/);
  // The first line comes at once; the next ones are pushed by the supervisor.
  await waitFor(() => watch.lines.length >= 3, 10_000, 'three status lines');
  for (const line of watch.lines) {
    const snapshot = JSON.parse(line) as StatusSnapshot;
    expect(statusSchemaProblems(snapshot)).toEqual([]);
    expect(snapshot.name).toBe(name);
  }
  expect((await runCli(['stop'], { cwd: dir, env: instance.env, timeoutMs: 30_000 })).code).toBe(0);
  expect(await watch.exited).toEqual({ code: 0, signal: null });
}, 90_000);

