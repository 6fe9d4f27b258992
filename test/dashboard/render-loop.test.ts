import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client';
import { controlSocketPath } from '../../src/control/paths';
import { runDashboard, type RenderLoop } from '../../src/dashboard/index';
import { ControlFeed } from '../helpers/control-feed';
import { CTRL_C, FakeTerminal, KEY_DOWN } from '../helpers/fake-terminal';
import { statusSnapshot, workerStatus } from '../helpers/status-snapshot';
import { waitFor } from '../helpers/wait-for';

// The in-process half of the dashboard tests: real blessed, a real Unix socket speaking the control
// protocol, fed by the test. test/e2e/dashboard-tmux.test.ts runs it against a live supervisor.

interface Running {
  feed: ControlFeed;
  terminal: FakeTerminal;
  loop: RenderLoop;
  exit: Promise<number>;
  screen(): string;
}

const cleanups: Array<() => Promise<unknown> | void> = [];

beforeAll(() => {
  process.env.TERM = 'xterm-256color';
  process.env.LANG = 'C.UTF-8';
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function twoWorkers(active: [number, number], uptimeMs = 10_000) {
  return statusSnapshot({
    uptimeMs,
    workers: [
      workerStatus({ slot: 0, pid: 4101, active: active[0], total: active[0] + uptimeMs / 1000, uptimeMs }),
      workerStatus({ slot: 1, pid: 4102, active: active[1], total: active[1], uptimeMs }),
    ],
  });
}

async function start(columns = 80, rows = 24): Promise<Running> {
  const feed = new ControlFeed(twoWorkers([0, 0]));
  await feed.listen();
  cleanups.push(() => feed.dispose());
  const terminal = new FakeTerminal(columns, rows);
  let ready!: (loop: RenderLoop) => void;
  const started = new Promise<RenderLoop>((resolve) => (ready = resolve));
  const exit = runDashboard({
    socketPath: feed.socketPath,
    name: 'chat',
    input: terminal.input as never,
    output: terminal.output as never,
    onReady: ready,
  });
  const loop = await Promise.race([started, exit.then((code) => Promise.reject(new Error(`dashboard exited ${code}`)))]);
  cleanups.push(async () => {
    terminal.press('q');
    await exit;
  });
  return { feed, terminal, loop, exit, screen: () => loop.layout.text().join('\n') };
}

describe('dashboard render loop (in-process, real socket)', () => {
  it('draws the first snapshot and follows the pushed ones', async () => {
    const { feed, screen } = await start();
    expect(screen()).toContain('sticky chat  routing ip  127.0.0.1:3000');
    expect(screen()).toMatch(/\b4101\b/);
    expect(screen()).toMatch(/\b4102\b/);
    await waitFor(() => feed.subscriberCount === 1, 5_000, 'the subscription');
    feed.push(twoWorkers([5, 7], 11_000));
    await waitFor(() => /4101 online\s+5\b/.test(screen()) && /4102 online\s+7\b/.test(screen()), 5_000, 'the new counts');
    expect(screen()).toMatch(/active 12 /);
    // Worker 4101's total grew by 1 + 5 over the second between the two snapshots.
    expect(screen()).toMatch(/4101 online\s+5\s+16\s+6\.0/);
  });

  it('selects workers with the arrow keys and shows the selected one in details', async () => {
    const { terminal, screen } = await start();
    expect(screen()).toMatch(/^slot 0 {2}pid 4101/m);
    terminal.press(KEY_DOWN);
    await waitFor(() => /^slot 1 {2}pid 4102/m.test(screen()), 5_000, 'slot 1 selected');
    expect(screen()).toMatch(/^›\s+1\s+4102/m);
    terminal.press('k');
    await waitFor(() => /^slot 0 {2}pid 4101/m.test(screen()), 5_000, 'slot 0 selected again');
  });

  it('asks before reloading, sends reload on y and shows its progress', async () => {
    const { feed, terminal, screen } = await start();
    terminal.press('r');
    await waitFor(() => screen().includes('Reload all 2 workers of chat? (y/n)'), 5_000, 'the confirmation');
    terminal.press('n');
    await waitFor(() => screen().includes('q quit  r reload'), 5_000, 'the prompt dismissed');
    expect(feed.requests.filter((r) => r.method === 'reload')).toHaveLength(0);

    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    feed.onReload = async (send) => {
      send({ slot: 0, phase: 'forking', oldPid: 4101 });
      send({ slot: 0, phase: 'online', oldPid: 4101, newPid: 4201 });
      await held;
      return { ok: true, result: null };
    };
    terminal.press('r');
    await waitFor(() => screen().includes('(y/n)'), 5_000, 'the confirmation');
    terminal.press('y');
    await waitFor(() => / reloading \d+s: slot 0: new worker pid 4201 online/.test(screen()), 5_000, 'progress in the footer');
    finish();
    await waitFor(() => screen().includes(' reload complete'), 5_000, 'the outcome');
    expect(screen()).toContain('reload: requested from this dashboard');
    expect(feed.requests.filter((r) => r.method === 'reload')).toHaveLength(1);
  });

  it('shows a failed reload with the supervisor\'s reason', async () => {
    const { feed, terminal, screen } = await start();
    feed.onReload = async (send) => {
      send({ slot: 0, phase: 'failed', message: 'not ready within 10000 ms' });
      return { ok: false, error: { code: 'STICKY_RELOAD', message: 'slot 0 kept its old worker' } };
    };
    terminal.press('r');
    await waitFor(() => screen().includes('(y/n)'), 5_000, 'the confirmation');
    terminal.press('y');
    await waitFor(() => screen().includes('reload failed: slot 0 kept its old worker'), 5_000, 'the failure');
    // The event wraps onto an indented second line at 80 columns.
    expect(screen()).toMatch(/slot 0: new worker failed, the old one keeps serving: not ready\n +within 10000 ms/);
  });

  it('keeps stray stdout and stderr writes off the screen and shows them as events', async () => {
    const { terminal, screen } = await start();
    const before = terminal.written.length;
    const realStdoutWrite = process.stdout.write;
    process.stdout.write('stray stdout line\n');
    process.stderr.write('stray stderr line\n');
    await waitFor(() => screen().includes('console: stray stderr line'), 5_000, 'the captured lines');
    expect(screen()).toContain('console: stray stdout line');
    expect(terminal.written.slice(before)).not.toMatch(/stray (stdout|stderr) line\n/);
    terminal.press('q');
    await waitFor(() => process.stdout.write !== realStdoutWrite, 5_000, 'the guard removed');
  });

  it('quits on q and on Ctrl-C, leaving the alternate screen and showing the cursor', async () => {
    for (const key of ['q', CTRL_C]) {
      const { terminal, exit } = await start();
      await waitFor(() => terminal.written.includes('\x1b[?1049h'), 5_000, 'the alternate screen');
      terminal.press(key);
      expect(await exit).toBe(0);
      const tail = terminal.written.slice(terminal.written.lastIndexOf('\x1b[?1049h'));
      expect(tail).toContain('\x1b[?1049l');
      expect(tail).toContain('\x1b[?25h');
    }
  });

  it('renders at most one frame per interval however fast data arrives', async () => {
    const { feed, loop, screen } = await start();
    await waitFor(() => feed.subscriberCount === 1, 5_000, 'the subscription');
    const framesBefore = loop.frames;
    const startedAt = Date.now();
    const burst = Array.from({ length: 300 }, (_, i) => JSON.stringify({ v: 1, event: 'status', data: twoWorkers([i, 1], 10_000 + i) }));
    feed.writeRaw(burst.join('\n') + '\n');
    await waitFor(() => /4101 online\s+299\b/.test(screen()), 5_000, 'the last snapshot of the burst');
    const elapsedMs = Date.now() - startedAt;
    expect(loop.frames - framesBefore).toBeLessThanOrEqual(Math.ceil(elapsedMs / 100) + 2);
  });

  it('redraws to the new size when the terminal is resized', async () => {
    const { terminal, loop } = await start();
    terminal.resize(60, 14);
    await waitFor(() => loop.layout.text().length === 14 && loop.layout.text()[13]!.includes('q quit'), 5_000, 'a 60x14 frame');
    const lines = loop.layout.text();
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(60);
    terminal.resize(100, 30);
    await waitFor(() => loop.layout.text()[29]?.includes('q quit'), 5_000, 'a 100x30 frame');
    expect(loop.layout.text().join('\n')).toMatch(/4102 online/);
  });

  it('says when the supervisor goes away and reconnects when it is back', async () => {
    const { feed, screen } = await start();
    await feed.close();
    await waitFor(() => /disconnected/.test(screen()), 5_000, 'disconnected shown');
    expect(screen()).toContain('control: connection lost');
    await feed.listen();
    feed.snapshot = twoWorkers([3, 4]);
    await waitFor(() => /live$/m.test(screen()) && /4102 online\s+4\b/.test(screen()), 10_000, 'reconnected');
  });

  it('treats malformed, oversized or wrong-version input as a broken connection, not a crash', async () => {
    const { feed, screen } = await start();
    const bad = ['this is not json\n', 'x'.repeat(8 * 1024 * 1024 + 1), '{"v":2,"event":"status","data":{}}\n'];
    const shown = ['is not JSON: this is not json', 'a line over 8388608 bytes', 'speaks control protocol v2'];
    for (const [i, input] of bad.entries()) {
      await waitFor(() => feed.subscriberCount === 1 && /live$/m.test(screen()), 10_000, 'a live subscription');
      feed.writeRaw(input);
      // Long events continue on indented lines: compare with the line breaks folded.
      await waitFor(() => screen().replace(/\s+/g, ' ').includes(shown[i]!), 5_000, `"${shown[i]}" shown`);
    }
    await waitFor(() => feed.subscriberCount === 1 && /live$/m.test(screen()), 10_000, 'reconnected');
    expect(screen()).toMatch(/4101 online/);
  });

  it('takes a client the CLI already connected, and reconnects by its name', async () => {
    const feed = new ControlFeed(twoWorkers([1, 2]), 'sticky/chat.sock');
    await feed.listen();
    cleanups.push(() => feed.dispose());
    const runtimeDir = process.env.XDG_RUNTIME_DIR;
    process.env.XDG_RUNTIME_DIR = feed.dir;
    cleanups.push(() => {
      if (runtimeDir === undefined) delete process.env.XDG_RUNTIME_DIR;
      else process.env.XDG_RUNTIME_DIR = runtimeDir;
    });
    const client = await ControlClient.connect('chat');
    const terminal = new FakeTerminal();
    let ready!: (loop: RenderLoop) => void;
    const started = new Promise<RenderLoop>((resolve) => (ready = resolve));
    const exit = runDashboard({ name: 'chat', socketPath: controlSocketPath('chat'), client, input: terminal.input as never, output: terminal.output as never, onReady: ready });
    const loop = await started;
    const screen = () => loop.layout.text().join('\n');
    expect(screen()).toMatch(/4102 online\s+2\b/);
    expect(feed.requests.map((r) => r.method)).toEqual(['status', 'subscribe', 'logs']);
    await feed.close();
    await waitFor(() => /disconnected/.test(screen()), 5_000, 'disconnected shown');
    await feed.listen();
    await waitFor(() => /live$/m.test(screen()), 10_000, 'reconnected');
    terminal.press('q');
    expect(await exit).toBe(0);
  });

  it('exits 1 with one line when no instance is running', async () => {
    const terminal = new FakeTerminal();
    const lines: string[] = [];
    const realWrite = process.stderr.write;
    process.stderr.write = ((chunk: string) => lines.push(String(chunk))) as typeof process.stderr.write;
    try {
      const code = await runDashboard({ socketPath: '/nonexistent/sticky.sock', name: 'ghost', input: terminal.input as never, output: terminal.output as never });
      expect(code).toBe(1);
    } finally {
      process.stderr.write = realWrite;
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe('sticky status: no sticky instance "ghost" is running (no control socket: /nonexistent/sticky.sock)\n');
    expect(terminal.written).toBe('');
  });
});
