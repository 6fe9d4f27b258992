import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connected, loopbackAddresses } from '../helpers/clients';
import { ensureArtifacts, startSupervisor, type RunningSupervisor } from '../helpers/supervisor';
import { TmuxPane } from '../helpers/tmux';
import { waitFor } from '../helpers/wait-for';

// `sticky status` against a live instance: the supervisor's start() with 2 workers, the real CLI's
// dashboard in an 80x24 tmux pane, read back with capture-pane.

const ROOT = path.resolve(__dirname, '../..');
const DRAIN_TIMEOUT_MS = 5_000;

/** The rows of the workers table: current worker per slot (marker, slot, pid, state, active). */
function workerRows(screen: string): Array<{ slot: number; pid: number; state: string; active: number }> {
  return [...screen.matchAll(/^[ ›]\s+(\d+)\s+(\d+) (\w+)\s+(\d+)\s/gm)].map((m) => ({
    slot: Number(m[1]),
    pid: Number(m[2]),
    state: m[3]!,
    active: Number(m[4]),
  }));
}

describe('sticky status dashboard in tmux against a live supervisor', () => {
  const clients: ClientSocket[] = [];
  let supervisor: RunningSupervisor;
  let pane: TmuxPane;
  const status = () => supervisor.status();

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'dist/cli/index.js'))) throw new Error('run `npm run build` first: bin/sticky.js loads dist/');
    // Long enough that the old workers are seen draining their websockets before being cut off.
    supervisor = await startSupervisor({ reload: { drainTimeoutMs: DRAIN_TIMEOUT_MS } });
    pane = await TmuxPane.open(80, 24, { XDG_RUNTIME_DIR: supervisor.runtimeDir });
    pane.run(`node ${path.join(ROOT, 'bin/sticky.js')} status --name ${supervisor.config.name}; echo "DASHBOARD_EXIT=$?"`);
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    pane?.close();
    await supervisor?.proc.kill();
    if (supervisor) rmSync(supervisor.runtimeDir, { recursive: true, force: true });
  });

  it('shows both worker pids', async () => {
    const pids = (await status()).workers.map((w) => w.pid);
    expect(pids).toHaveLength(2);
    const screen = await waitFor(() => {
      const text = pane.capture();
      return pids.every((pid) => workerRows(text).some((row) => row.pid === pid && row.state === 'online')) && text;
    }, 10_000, `pids ${pids.join(', ')} on screen`);
    expect(pane.alternateScreen()).toBe(true);
    expect(screen).toContain(`sticky ${supervisor.config.name}  routing ip  127.0.0.1:${supervisor.port}`);
    for (const line of screen.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('counts 12 idle websocket clients on the rows within 5 s', async () => {
    for (const localAddress of loopbackAddresses(12)) {
      clients.push(io(`http://127.0.0.1:${supervisor.port}`, { transports: ['websocket'], localAddress, reconnection: false, forceNew: true } as never));
    }
    await Promise.all(clients.map((client) => connected(client)));
    const screen = await waitFor(() => {
      const text = pane.capture();
      return workerRows(text).reduce((sum, row) => sum + row.active, 0) === 12 && text;
    }, 5_000, 'the rows to sum to 12 active connections');
    expect(screen).toMatch(/^active 12 /m);
    writeFileSync(path.join(ensureArtifacts(), 'dashboard-80x24.txt'), screen);
  });

  it('reloads after r and y, and the new pids replace the old on screen', async () => {
    const before = workerRows(pane.capture()).map((row) => row.pid);
    pane.keys('r');
    await waitFor(() => pane.capture().includes('Reload all 2 workers'), 5_000, 'the confirmation');
    pane.keys('y');
    // The old workers keep their idle websockets until the drain deadline: shown under their slot.
    const draining = await waitFor(() => {
      const text = pane.capture();
      const rows = [...text.matchAll(/^ +└ +(\d+) draining +(\d+) left, forced close in (\d+)s$/gm)];
      return rows.length === 2 && { text, rows: rows.map((m) => ({ pid: Number(m[1]), left: Number(m[2]), inS: Number(m[3]) })) };
    }, DRAIN_TIMEOUT_MS, 'both old workers draining under their slots');
    expect(draining.rows.map((row) => row.pid).sort()).toEqual([...before].sort());
    expect(draining.rows.reduce((sum, row) => sum + row.left, 0)).toBeGreaterThan(0);
    for (const row of draining.rows) expect(row.inS).toBeLessThanOrEqual(DRAIN_TIMEOUT_MS / 1000);
    writeFileSync(path.join(ensureArtifacts(), 'dashboard-80x24-reload.txt'), draining.text);
    const after = await waitFor(() => {
      const rows = workerRows(pane.capture());
      return rows.length === 2 && rows.every((row) => !before.includes(row.pid) && row.state === 'online') && rows;
    }, 10_000, 'two new online pids');
    const truth = (await status()).workers.filter((w) => w.state === 'online').map((w) => w.pid);
    expect(after.map((row) => row.pid).sort()).toEqual(truth.sort());
    await waitFor(() => pane.capture().includes('reload complete: 2 workers replaced'), DRAIN_TIMEOUT_MS + 5_000, 'the outcome');
    expect(pane.capture()).not.toMatch(/^ +└ .* draining/m);
    expect(workerRows(pane.capture()).map((row) => row.pid).sort()).toEqual(truth.sort());
  });

  it('quits on q and gives the terminal back', async () => {
    pane.keys('q');
    await waitFor(() => pane.capture().includes('DASHBOARD_EXIT=0') && pane.atPrompt(), 5_000, 'the shell prompt back');
    expect(pane.alternateScreen()).toBe(false);
    const screen = pane.capture();
    expect(screen).not.toMatch(/workers|q quit/);
  });
});
