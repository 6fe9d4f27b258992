/** `sticky start` run for real, as a user or systemd would, on a config file of its own. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StatusSnapshot } from '../../src/control/protocol.js';
import { STICKY_BIN, runCli, uniqueName } from './cli.js';
import { startNode, type Started } from './processes.js';
import { waitFor } from './wait-for.js';

export interface Instance {
  name: string;
  configFile: string;
  env: Record<string, string>;
  primary: Started;
  port: number;
  status(): Promise<StatusSnapshot>;
  /** `sticky stop` for this instance; resolves once the primary has exited. */
  stop(): Promise<void>;
  /** Kills what is left and removes its folders. */
  cleanUp(): Promise<void>;
}

/**
 * `sticky start` on a sticky.config.json of its own (port 0 on 127.0.0.1, `workers`
 * workers); resolves once every worker is online.
 */
export async function startInstance(config: Record<string, unknown>, workers: number): Promise<Instance> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sticky-host-'));
  const name = uniqueName(String(config.name ?? 'host'));
  const configFile = path.join(dir, 'sticky.config.json');
  writeFileSync(configFile, JSON.stringify({ host: '127.0.0.1', port: 0, workers, ...config, name }, null, 2));
  return runInstance(configFile, name, workers, [dir]);
}

/**
 * `sticky start --config configFile` (whose `name` is `name`) in the config's folder, with an
 * XDG_RUNTIME_DIR of its own; resolves once `workers` workers are online. `cleanUp` also
 * removes `ownDirs`.
 */
export async function runInstance(configFile: string, name: string, workers: number, ownDirs: string[] = []): Promise<Instance> {
  const runtimeDir = mkdtempSync(path.join(tmpdir(), 'sticky-rt-'));
  const env = { XDG_RUNTIME_DIR: runtimeDir };
  const primary = startNode(STICKY_BIN, ['start', '--config', configFile], env, path.dirname(configFile));
  const status = async (): Promise<StatusSnapshot> => {
    const r = await runCli(['status', '--json', '--config', configFile], { env });
    // 3: it runs, a slot is not online (the snapshot is printed all the same).
    if (r.code !== 0 && r.code !== 3) throw new Error(`sticky status: ${r.code} ${r.stderr}`);
    return JSON.parse(r.stdout) as StatusSnapshot;
  };
  const cleanUp = async (): Promise<void> => {
    await primary.kill();
    for (const dir of [...ownDirs, runtimeDir]) rmSync(dir, { recursive: true, force: true });
  };
  const socketPath = path.join(runtimeDir, 'sticky', `${name}.sock`);
  let online: StatusSnapshot;
  try {
    await waitFor(() => existsSync(socketPath) || primary.child.exitCode !== null, 20_000, `${name}'s control socket`);
    const result = await waitFor(async (): Promise<StatusSnapshot | Error | undefined> => {
      if (primary.child.exitCode !== null) return new Error(`sticky start exited ${primary.child.exitCode}: ${primary.stderr.join('')}`);
      const s = await status();
      return s.workers.filter((w) => w.state === 'online').length === workers ? s : undefined;
    }, 20_000, `${name}: ${workers} workers online`);
    if (result instanceof Error) throw result;
    online = result;
  } catch (err) {
    await cleanUp();
    throw err;
  }
  return {
    name,
    configFile,
    env,
    primary,
    port: online.port,
    status,
    async stop() {
      const r = await runCli(['stop', '--config', configFile], { env, timeoutMs: 20_000 });
      if (r.code !== 0) throw new Error(`sticky stop: ${r.code} ${r.stderr}`);
      await primary.exited;
    },
    cleanUp,
  };
}
