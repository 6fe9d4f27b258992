// What a user does first: `sticky init`, then `sticky start` on what it wrote, `status --json`
// (checked against the documented schema), `reload`, `stop`. All through the real CLI.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { makeProject, removeProject, runCli, uniqueName } from '../helpers/cli.js';
import { runInstance, type Instance } from '../helpers/sticky-instance.js';
import { connected, pollingClient } from '../helpers/clients.js';
import { statusSchemaProblems } from '../helpers/status-schema.js';

const dir = makeProject('lifecycle');
const name = uniqueName('life');
let instance: Instance | undefined;

afterAll(async () => {
  await instance?.cleanUp();
  removeProject(dir);
});

function httpGet(port: number, localAddress: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, localAddress, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve(body));
    }).on('error', reject).on('timeout', function (this: http.ClientRequest) {
      this.destroy(new Error('timed out'));
    });
  });
}

/** Uncomments the template's options (they must be valid as written), with a free port,
 * loopback, two workers and a unique name so the test shares the machine politely. */
function editTemplate(configFile: string): void {
  const edited = readFileSync(configFile, 'utf8')
    .replace(/^ {2}\/\/ (\w+: .*?,)(\s+\/\/.*)?$/gm, '  $1')
    .replace("name: 'my-app',", `name: '${name}',`)
    .replace('port: 3000,', 'port: 0,')
    .replace("host: '0.0.0.0',", "host: '127.0.0.1',")
    .replace("workers: 'auto',", 'workers: 2,')
    .replace(/^ {2}watch: .*\n/m, '');
  expect(edited).toContain(`name: '${name}',`);
  expect(edited).toContain("routing: { by: 'ip' },");
  expect(edited).toContain('reload: { readyTimeoutMs');
  writeFileSync(configFile, edited);
}

test('init, start what it wrote, status --json, reload, stop', async () => {
  expect((await runCli(['init'], { cwd: dir })).code).toBe(0);
  editTemplate(path.join(dir, 'sticky.config.ts'));

  instance = await runInstance({ dir, workers: 2 });
  const { online, env, primary } = instance;
  expect(statusSchemaProblems(online)).toEqual([]);
  expect(online).toMatchObject({ name, pid: primary.pid, host: '127.0.0.1', routing: 'ip' });
  expect(online.port).toBeGreaterThan(0);
  const socketPath = path.join(instance.runtimeDir, 'sticky', `${name}.sock`);
  expect(existsSync(socketPath)).toBe(true);

  // The starter server answers HTTP and socket.io.
  expect(await httpGet(online.port, '127.0.0.2')).toMatch(/^hello from worker \d+ \(pid \d+\)\n$/);
  const client = pollingClient(`http://127.0.0.1:${online.port}`, '127.0.0.3');
  const hello = new Promise((resolve) => client.once('hello', resolve));
  await connected(client);
  expect(await hello).toMatchObject({ pid: expect.any(Number) });
  client.close();

  const reload = await runCli(['reload'], { cwd: dir, env, timeoutMs: 30_000 });
  expect(reload.code, reload.stderr).toBe(0);
  expect(reload.stdout).toContain(`reloaded "${name}"`);
  const oldPids = online.workers.map((worker) => worker.pid);
  for (const pid of oldPids) expect(reload.stdout).toContain(`old worker pid ${pid} exited`);
  const reloaded = await instance.status();
  const newPids = reloaded.workers.map((worker) => worker.pid);
  expect(newPids).toHaveLength(oldPids.length);
  // Every worker was replaced: not one old pid is left.
  expect(newPids.filter((pid) => oldPids.includes(pid))).toEqual([]);

  const stop = await runCli(['stop'], { cwd: dir, env, timeoutMs: 30_000 });
  expect(stop.code, stop.stderr).toBe(0);
  expect(stop.stdout).toBe(`stopping "${name}" (pid ${primary.pid}), draining its workers\nstopped "${name}"\n`);
  expect(await primary.exited).toEqual({ code: 0, signal: null });
  expect(existsSync(socketPath)).toBe(false);
  expect((await runCli(['status', '--json'], { cwd: dir, env })).code).toBe(1);
}, 120_000);
