// The metrics port as a user meets it: off by default (no port opened, status says null),
// and a metrics.port already taken fails `sticky start` with a message naming the key.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, STICKY_BIN, uniqueName } from '../helpers/cli.js';
import { killAll, listeningInodes, socketInodes, startNode } from '../helpers/processes.js';
import { startInstance, type Instance } from '../helpers/sticky-instance.js';

const APP = path.join(ROOT, 'test', 'fixtures', 'supervisor', 'app.js');

describe('metrics port', () => {
  let instance: Instance | undefined;
  const dirs: string[] = [];
  const blocker = createServer();
  afterAll(async () => {
    await instance?.cleanUp();
    await killAll();
    blocker.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('off by default: status --json says metrics: null and the primary listens on the app port only', async () => {
    instance = await startInstance({ name: 'metrics-off', script: APP }, 1);
    const status = await instance.status();
    expect(status.metrics).toBeNull();
    const listening = listeningInodes();
    expect([...socketInodes(instance.primary.pid)].filter((inode) => listening.has(inode))).toHaveLength(1);
    expect(instance.primary.lines.join('\n')).not.toContain('"kind":"metrics"');
  }, 60_000);

  it('metrics.port in use: sticky start exits 1 naming metrics.port, having forked no worker', async () => {
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as AddressInfo).port)));
    const dir = mkdtempSync(path.join(tmpdir(), 'sticky-metrics-port-'));
    dirs.push(dir);
    const configFile = path.join(dir, 'sticky.config.json');
    writeFileSync(configFile, JSON.stringify({ name: uniqueName('metrics-busy'), script: APP, host: '127.0.0.1', port: 0, workers: 1, metrics: { port } }));
    const primary = startNode(STICKY_BIN, ['start', '--config', configFile], { XDG_RUNTIME_DIR: dir }, dir);
    expect(await primary.exited).toEqual({ code: 1, signal: null });
    expect(primary.stderr.join('')).toContain(`sticky: cannot serve metrics on 127.0.0.1:${port} (metrics.port, metrics.host): listen EADDRINUSE`);
    expect(primary.lines.join('\n')).not.toContain('worker-online');
  }, 60_000);
});
