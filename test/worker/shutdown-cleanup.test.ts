// The shutdown contract (reload.killTimeoutMs). Regression: the worker called process.exit(0)
// as soon as its connections were done, so an app's async clean-up on 'shutdown' never
// finished, and PM2-style SIGINT handlers never ran. Now an app that listens for 'shutdown',
// SIGINT or 'sticky:drain' finishes its clean-up after its connections are done and exits
// by itself, or is killed reload.killTimeoutMs later; one that listens for none exits at once.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { get } from '../helpers/clients.js';
import { isAlive, killAll } from '../helpers/processes.js';
import { ensureArtifacts, onlinePids, startSupervisor, type RunningSupervisor } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

const APP = path.resolve(__dirname, '../fixtures/apps/cleanup.cjs');
const markerDir = mkdtempSync(path.join(ensureArtifacts(), 'cleanup-'));

afterEach(killAll);
afterAll(() => rmSync(markerDir, { recursive: true, force: true }));

interface Marker {
  on: string;
  calls: { shutdown: number; sigint: number; drain: number };
  closedWithOpen: number;
}

function marker(pid: number): Marker | undefined {
  const file = path.join(markerDir, `${pid}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Marker : undefined;
}

function start(env: Record<string, string>, reload: { drainTimeoutMs?: number; killTimeoutMs?: number } = {}): Promise<RunningSupervisor> {
  return startSupervisor({
    script: APP,
    env: { MARKER_DIR: markerDir, CLEANUP_MS: '1000', ...env },
    reload: { drainTimeoutMs: 20_000, killTimeoutMs: 5_000, ...reload },
  });
}

/** The supervisor's log records about worker `pid` leaving. */
function exitLines(sup: RunningSupervisor, pid: number): string[] {
  return sup.proc.lines.filter((l) => l.includes(`worker ${pid} (slot`) && l.includes('"kind":"worker-exit"'));
}

/**
 * The exit records of `pid`, once one says `text` (or after 5 s, for the assertion to show):
 * the supervisor writes stdout asynchronously, so a record may follow the reload's reply.
 */
function exitLog(sup: RunningSupervisor, pid: number, text: string): Promise<string> {
  const log = (): string => exitLines(sup, pid).join('\n');
  return waitFor(() => log().includes(text) && log(), 5_000, `the exit record of ${pid}`).catch(() => log());
}

async function reload(sup: RunningSupervisor): Promise<{ durationMs: number }> {
  const { reply } = await sup.reload();
  if (!reply.ok) throw new Error(`reload failed: ${reply.error.message}`);
  return reply.result as { durationMs: number };
}

describe.each([
  { on: 'shutdown', then: 'exit', calls: { shutdown: 1, sigint: 0, drain: 0 } },
  { on: 'SIGINT', then: 'exit', calls: { shutdown: 0, sigint: 1, drain: 0 } },
  { on: 'sticky:drain', then: 'return', calls: { shutdown: 0, sigint: 0, drain: 1 } },
])('an app that cleans up on $on and then does "$then"', ({ on, then, calls }) => {
  it('finishes its async clean-up after its connections are done, and exits by itself', async () => {
    const sup = await start({ CLEANUP_ON: on, CLEANUP_THEN: then });
    const old = onlinePids(await sup.status());
    // A request still running while its worker drains.
    const slow = get(sup.port, '127.0.0.2', { path: '/?ms=1500' });
    await waitFor(async () => (await sup.status()).connections.active > 0, 10_000, 'the slow request to be adopted');
    const { durationMs } = await reload(sup);

    expect(old).toContain((await slow).pid);
    for (const pid of old) {
      expect(marker(pid)).toEqual({ on, calls, closedWithOpen: 0 });
      expect(isAlive(pid)).toBe(false);
      // By itself: not killed at killTimeoutMs, nor at the drain timeout.
      expect(await exitLog(sup, pid, 'exited after draining')).toContain('exited after draining');
    }
    expect(durationMs).toBeLessThan(20_000);
  }, 60_000);
});

it('an app still running killTimeoutMs after its connections are done is killed, and the log says why', async () => {
  const sup = await start({ CLEANUP_ON: 'shutdown', CLEANUP_THEN: 'hang', CLEANUP_MS: '100' }, { killTimeoutMs: 1000 });
  const old = onlinePids(await sup.status());
  await reload(sup);
  for (const pid of old) {
    expect(marker(pid)?.calls.shutdown).toBe(1);
    expect(isAlive(pid)).toBe(false);
    const killed = 'still running 1000 ms after its connections were done (reload.killTimeoutMs): killed';
    expect(await exitLog(sup, pid, killed)).toContain(killed);
  }
}, 60_000);

it('an app that listens for none of them exits as soon as its connections are done', async () => {
  // Its interval would keep it alive: only the worker's own exit ends it.
  const sup = await start({ CLEANUP_ON: 'none' }, { killTimeoutMs: 30_000 });
  const old = onlinePids(await sup.status());
  const { durationMs } = await reload(sup);
  expect(durationMs).toBeLessThan(20_000);
  for (const pid of old) {
    expect(marker(pid)).toBeUndefined();
    expect(await exitLog(sup, pid, 'exited after draining')).toContain('exited after draining');
  }
}, 60_000);

it('Ctrl-C (SIGINT to the whole process group) runs a SIGINT handler once, at the drain, and the primary exits 0', async () => {
  const sup = await startSupervisor({
    script: APP,
    env: { MARKER_DIR: markerDir, CLEANUP_MS: '500', CLEANUP_ON: 'SIGINT', CLEANUP_THEN: 'exit' },
    reload: { drainTimeoutMs: 20_000, killTimeoutMs: 5_000 },
  }, { detached: true });
  const old = onlinePids(await sup.status());
  process.kill(-sup.proc.pid, 'SIGINT');
  expect(await sup.proc.exited).toEqual({ code: 0, signal: null });
  for (const pid of old) {
    expect(marker(pid)).toEqual({ on: 'SIGINT', calls: { shutdown: 0, sigint: 1, drain: 0 }, closedWithOpen: 0 });
    expect(await exitLog(sup, pid, 'exited after draining')).toContain('exited after draining');
  }
}, 60_000);
