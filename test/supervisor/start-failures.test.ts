import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { descendants, killAll } from '../helpers/processes.js';
import { spawnSupervisor } from '../helpers/supervisor.js';

describe('a start that cannot complete', () => {
  let blocker: Server | undefined;
  afterAll(async () => {
    blocker?.close();
    await killAll();
  });

  it('on a port already taken: exits 2 naming the address, forks nothing, removes its control socket', async () => {
    blocker = createServer();
    const port = await new Promise<number>((r) => blocker!.listen(0, '127.0.0.1', () => r((blocker!.address() as { port: number }).port)));
    const sup = spawnSupervisor({ port });
    expect(await sup.proc.exited).toEqual({ code: 2, signal: null });
    expect(sup.proc.stderr.join('')).toMatch(new RegExp(`START_FAILED STICKY_SETUP: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`));
    expect(existsSync(sup.socketPath)).toBe(false);
    expect(sup.proc.lines.join('\n')).not.toContain('worker-online');
  });

  it('with a script that does not exist: exits 2 with the config key, before taking anything', async () => {
    const sup = spawnSupervisor({ script: '/nonexistent/server.js' });
    expect(await sup.proc.exited).toEqual({ code: 2, signal: null });
    expect(sup.proc.stderr.join('')).toContain('START_FAILED STICKY_CONFIG: script: "/nonexistent/server.js" does not exist');
    expect(existsSync(sup.socketPath)).toBe(false);
    expect(descendants(sup.proc.pid)).toEqual([]);
  });
});
