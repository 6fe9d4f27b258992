// Regression (issue 13, finding 5): a script that throws at load made `sticky start` retry
// forever while systemd and scripts saw a healthy service. Now, with no worker online within
// reload.readyTimeoutMs, it exits 1 with the workers' error and leaves nothing behind.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { makeProject, removeProject, runCli, uniqueName } from '../helpers/cli.js';

const READY_TIMEOUT_MS = 3000;
const name = uniqueName('failfast');
const dir = makeProject('fail-fast', {
  'server.js': 'throw new Error("cannot reach the database at db.internal:5432");\n',
  'sticky.config.json': JSON.stringify({ name, script: './server.js', workers: 2, host: '127.0.0.1', port: 0, reload: { readyTimeoutMs: READY_TIMEOUT_MS } }),
});
const runtimeDir = mkdtempSync(path.join(tmpdir(), 'sticky-rt-'));
afterAll(() => {
  removeProject(dir);
  rmSync(runtimeDir, { recursive: true, force: true });
});

test('sticky start exits 1 with the workers\' error when no worker comes online', async () => {
  const started = Date.now();
  const result = await runCli(['start'], { cwd: dir, env: { XDG_RUNTIME_DIR: runtimeDir }, timeoutMs: 30_000 });
  const tookMs = Date.now() - started;
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toContain(`sticky: no worker came online within ${READY_TIMEOUT_MS} ms (reload.readyTimeoutMs), so nothing can be served; stopped.`);
  // The error the app threw, with the line of the user's file, once per distinct error.
  const summary = result.stderr.slice(result.stderr.indexOf('sticky: no worker came online'));
  expect(summary).toMatch(/exited with code 1: Error: cannot reach the database at db\.internal:5432\n\s+at .*server\.js:1/);
  expect(summary.match(/cannot reach the database/g)).toHaveLength(1);
  // It gave up after the ready timeout, not after retrying at the backoff cap forever.
  expect(tookMs).toBeGreaterThanOrEqual(READY_TIMEOUT_MS);
  expect(existsSync(path.join(runtimeDir, 'sticky', `${name}.sock`))).toBe(false);
  // Its log says why before it stops.
  expect(result.stdout).toContain('"kind":"worker-error"');
}, 40_000);

test('sticky status then exits 1: nothing runs', async () => {
  const result = await runCli(['status', '--json'], { cwd: dir, env: { XDG_RUNTIME_DIR: runtimeDir } });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`no sticky instance "${name}" is running`);
});
