// What `sticky reload` reports: a script that no longer loads → exit 1 with the worker's own
// error while the old workers keep serving; fixed → exit 0; a config change that needs a
// restart → said, not applied.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { makeProject, removeProject, runCli, uniqueName } from '../helpers/cli.js';
import { runInstance, type Instance } from '../helpers/sticky-instance.js';

const SERVER = 'module.exports = () => require("node:http").createServer((req, res) => res.end(String(process.pid)));\n';
const name = uniqueName('reload');
const dir = makeProject('reload-report', {
  'server.js': SERVER,
  'sticky.config.json': JSON.stringify({ name, script: './server.js', port: 0, host: '127.0.0.1', workers: 2, reload: { drainTimeoutMs: 2000 } }),
});
let instance: Instance | undefined;

afterAll(async () => {
  await instance?.cleanUp();
  removeProject(dir);
});

const onlinePids = async () => (await instance!.status()).workers.filter((worker) => worker.state === 'online').map((worker) => worker.pid).sort();

test('a syntax error: exit 1 with the error, old workers untouched; fixed: exit 0', async () => {
  instance = await runInstance({ dir, workers: 2 });
  const oldPids = instance.online.workers.map((worker) => worker.pid).sort();

  writeFileSync(path.join(dir, 'server.js'), 'module.exports = () => {\n  return syntax error here;\n};\n');
  const failed = await runCli(['reload'], { cwd: dir, env: instance.env, timeoutMs: 30_000 });
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain('SyntaxError');
  expect(failed.stderr).toContain(path.join(dir, 'server.js'));
  expect(failed.stderr).toMatch(/^slot \d+: new worker (pid \d+ )?failed, the old one keeps serving/m);
  expect(await onlinePids()).toEqual(oldPids);

  writeFileSync(path.join(dir, 'server.js'), SERVER);
  const fixed = await runCli(['reload'], { cwd: dir, env: instance.env, timeoutMs: 30_000 });
  expect(fixed.code, fixed.stderr).toBe(0);
  expect(fixed.stderr).toBe('');
  expect(fixed.stdout).toMatch(new RegExp(`^reloaded "${name}": 2 workers replaced in `, 'm'));
}, 90_000);

test('a changed port is reported as needing a restart, the workers are still replaced', async () => {
  const configFile = path.join(dir, 'sticky.config.json');
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  const { port } = await instance!.status();
  writeFileSync(configFile, JSON.stringify({ ...config, port: port + 1 }));
  const result = await runCli(['reload'], { cwd: dir, env: instance!.env, timeoutMs: 30_000 });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/^port: 0 -> \d+ needs a restart/m);
  expect((await instance!.status()).port).toBe(port);
}, 60_000);
