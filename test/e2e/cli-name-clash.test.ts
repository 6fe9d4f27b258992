// Regression (issue 13, finding 6): the default name is the config's folder name, so two
// projects in folders called "app" shared one instance name, and `sticky stop` in one of them
// stopped the other. Now a second start or a stop from the other config file says which file
// runs under the name and how to set `name`, and touches nothing.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { STICKY_BIN, makeProject, removeProject, runCli, writeFiles } from '../helpers/cli.js';
import { isAlive, startNode, type Started } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait-for.js';

const runtimeDir = mkdtempSync(path.join(tmpdir(), 'sticky-rt-'));
const env = { XDG_RUNTIME_DIR: runtimeDir };
const parents = [makeProject('clash-one'), makeProject('clash-two')];
const apps = parents.map((parent) => {
  const dir = path.join(parent, 'app');
  mkdirSync(dir);
  writeFiles(dir, {
    'server.js': 'module.exports = () => require("node:http").createServer((req, res) => res.end("ok"));\n',
    'sticky.config.json': JSON.stringify({ script: './server.js', workers: 1, host: '127.0.0.1', port: 0 }),
  });
  return dir;
});
const [first, second] = apps as [string, string];
const firstConfig = path.join(first, 'sticky.config.json');
const secondConfig = path.join(second, 'sticky.config.json');
let running: Started | undefined;
afterAll(async () => {
  await running?.kill();
  for (const parent of parents) removeProject(parent);
  rmSync(runtimeDir, { recursive: true, force: true });
});

test('a second start and a stop from another "app" folder name the running config and refuse', async () => {
  running = startNode(STICKY_BIN, ['start'], { env, cwd: first });
  await waitFor(async () => (await runCli(['status', '--json'], { cwd: first, env })).code === 0, 30_000, 'the first app online');

  const hint = `give this project a name of its own: set \`name\` in ${secondConfig} (without it, the name is the config's folder name)`;
  const start = await runCli(['start'], { cwd: second, env, timeoutMs: 30_000 });
  expect(start.code).toBe(1);
  expect(start.stderr).toBe(`sticky: "app" is already running (pid ${running.pid}) from ${firstConfig}, another config with the same name; ${hint}\n`);

  for (const command of ['stop', 'reload', 'status']) {
    const refused = await runCli([command], { cwd: second, env });
    expect(refused.code, command).toBe(1);
    expect(refused.stderr).toBe(
      `sticky: "app" (pid ${running.pid}) runs from ${firstConfig}, not from ${secondConfig}: two configs share the name "app"; `
      + `left it alone. To reach it anyway: --name app. ${hint}\n`,
    );
  }
  expect(isAlive(running.pid)).toBe(true);
  expect((await runCli(['status', '--json'], { cwd: first, env })).code).toBe(0);

  // By name it is reached on purpose, from anywhere.
  const stop = await runCli(['stop', '--name', 'app'], { cwd: second, env, timeoutMs: 30_000 });
  expect(stop.code, stop.stderr).toBe(0);
  expect(await running.exited).toEqual({ code: 0, signal: null });
}, 90_000);
