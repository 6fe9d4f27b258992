// `sticky list`: every running instance of this user (two here), each with its pid, port,
// workers online/total and config file; a stale socket left by a killed primary is skipped.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import type { ListedInstance } from '../../src/cli/list.js';
import type { StatusSnapshot } from '../../src/control/protocol.js';
import { STICKY_BIN, makeProject, removeProject, runCli, uniqueName } from '../helpers/cli.js';
import { startNode, type Started } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait-for.js';

const runtimeDir = mkdtempSync(path.join(tmpdir(), 'sticky-rt-'));
const env = { XDG_RUNTIME_DIR: runtimeDir };
const names = [uniqueName('list-a'), uniqueName('list-b')];
const dirs = names.map((name, i) => makeProject('list', {
  'server.js': 'module.exports = () => require("node:http").createServer((req, res) => res.end("ok"));\n',
  'sticky.config.json': JSON.stringify({ name, script: './server.js', workers: i + 1, host: '127.0.0.1', port: 0 }),
}));
const primaries: Started[] = [];
afterAll(async () => {
  for (const p of primaries) await p.kill();
  for (const dir of dirs) removeProject(dir);
  rmSync(runtimeDir, { recursive: true, force: true });
});

async function online(dir: string, workers: number): Promise<StatusSnapshot> {
  return waitFor(async () => {
    const r = await runCli(['status', '--json'], { cwd: dir, env });
    if (r.code !== 0) return undefined;
    const s = JSON.parse(r.stdout) as StatusSnapshot;
    return s.workers.filter((w) => w.state === 'online').length === workers ? s : undefined;
  }, 30_000, `${dir}: ${workers} online`);
}

test('lists both instances with pid, port, workers and config file; skips a stale socket', async () => {
  const empty = await runCli(['list'], { env });
  expect(empty).toMatchObject({ code: 0, stdout: 'no sticky instance is running\n' });

  for (const dir of dirs) primaries.push(startNode(STICKY_BIN, ['start'], { env, cwd: dir }));
  const snapshots = [await online(dirs[0]!, 1), await online(dirs[1]!, 2)];

  // A primary killed with SIGKILL leaves its socket file behind: nothing listens on it.
  const stale = path.join(runtimeDir, 'sticky', 'killed.sock');
  const holder = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(stale)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => holder.stdout.once('data', resolve));
  holder.kill('SIGKILL');
  await new Promise((resolve) => holder.once('exit', resolve));
  expect(existsSync(stale)).toBe(true);

  const json = await runCli(['list', '--json'], { env });
  expect(json.code, json.stderr).toBe(0);
  expect(json.stderr).toBe('');
  const listed = JSON.parse(json.stdout) as ListedInstance[];
  expect(listed.map((i) => i.name)).toEqual([...names].sort());
  for (const [i, name] of names.entries()) {
    expect(listed.find((x) => x.name === name)).toEqual({
      name,
      pid: primaries[i]!.pid,
      host: '127.0.0.1',
      port: snapshots[i]!.port,
      workers: { online: i + 1, total: i + 1 },
      configFile: path.join(dirs[i]!, 'sticky.config.json'),
      uptimeMs: expect.any(Number),
    });
  }

  const table = await runCli(['list'], { env });
  expect(table.code).toBe(0);
  const lines = table.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^NAME +PID +PORT +WORKERS +CONFIG$/);
  for (const [i, name] of names.entries()) {
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(
      `^${name} +${primaries[i]!.pid} +${snapshots[i]!.port} +${i + 1}/${i + 1} +${path.join(dirs[i]!, 'sticky.config.json')}$`,
    )));
  }
  expect(lines).toHaveLength(3);
}, 90_000);
