/** `sticky start` run for real, as a user or systemd would: the one instance launcher. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StatusSnapshot } from '../../src/control/protocol.js';
import { STICKY_BIN, runCli, uniqueName } from './cli.js';
import { startNode, type Started } from './processes.js';
import { waitFor } from './wait-for.js';

export interface Instance {
  /** The instance name, as its first status reports it. */
  name: string;
  /** The folder `sticky start` runs in. */
  dir: string;
  /** `--config` given to every command, when the config is not discovered. */
  configFile: string | undefined;
  /** XDG_RUNTIME_DIR for every CLI call that should reach this instance. */
  env: { XDG_RUNTIME_DIR: string };
  runtimeDir: string;
  primary: Started;
  port: number;
  /** Its first snapshot with every worker online. */
  online: StatusSnapshot;
  status(): Promise<StatusSnapshot>;
  /** `sticky stop` for this instance; resolves once the primary has exited. */
  stop(): Promise<void>;
  /** Kills what is left and removes its runtime folder and `ownDirs`. */
  cleanUp(): Promise<void>;
}

export interface InstanceOptions {
  /** Where `sticky start` runs (and discovers its config unless `configFile` is given). */
  dir: string;
  /** Passed as --config. */
  configFile?: string;
  /** How many workers must be online before it counts as started. */
  workers: number;
  /** Folders removed by cleanUp. */
  ownDirs?: string[];
}

/**
 * `sticky start` in `dir` with an XDG_RUNTIME_DIR of its own (so its control socket is apart
 * from every other test's); resolves once `workers` workers are online, and fails at once if
 * the primary exits first.
 */
export async function runInstance(options: InstanceOptions): Promise<Instance> {
  const { dir, configFile, workers } = options;
  const runtimeDir = mkdtempSync(path.join(tmpdir(), 'sticky-rt-'));
  const env = { XDG_RUNTIME_DIR: runtimeDir };
  const config = configFile === undefined ? [] : ['--config', configFile];
  const primary = startNode(STICKY_BIN, ['start', ...config], { env, cwd: dir });
  const status = async (): Promise<StatusSnapshot> => {
    const r = await runCli(['status', '--json', ...config], { cwd: dir, env });
    // 3: it runs, a slot is not online (the snapshot is printed all the same).
    if (r.code !== 0 && r.code !== 3) throw new Error(`sticky status --json exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as StatusSnapshot;
  };
  const cleanUp = async (): Promise<void> => {
    await primary.kill();
    for (const own of [...(options.ownDirs ?? []), runtimeDir]) rmSync(own, { recursive: true, force: true });
  };
  let online: StatusSnapshot;
  try {
    // The socket first: each status is a process of its own, not worth spawning before then.
    const socketDir = path.join(runtimeDir, 'sticky');
    await waitFor(() => existsSync(socketDir) || primary.child.exitCode !== null, 20_000, 'the control socket');
    const result = await waitFor(async (): Promise<StatusSnapshot | Error | undefined> => {
      if (primary.child.exitCode !== null) return new Error(`sticky start exited ${primary.child.exitCode}: ${primary.stderr.join('')}`);
      const s = await status();
      return s.workers.filter((w) => w.state === 'online').length === workers ? s : undefined;
    }, 30_000, `${workers} workers online (stderr: ${primary.stderr.join('').slice(-500)})`);
    if (result instanceof Error) throw result;
    online = result;
  } catch (err) {
    await cleanUp();
    throw err;
  }
  return {
    name: online.name,
    dir,
    configFile,
    env,
    runtimeDir,
    primary,
    port: online.port,
    online,
    status,
    async stop() {
      const r = await runCli(['stop', ...config], { cwd: dir, env, timeoutMs: 20_000 });
      if (r.code !== 0) throw new Error(`sticky stop: ${r.code} ${r.stderr}`);
      await primary.exited;
    },
    cleanUp,
  };
}

/**
 * `sticky start` on a sticky.config.json of its own (port 0 on 127.0.0.1, `workers`
 * workers, a unique name); resolves once every worker is online.
 */
export async function startInstance(config: Record<string, unknown>, workers: number): Promise<Instance> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sticky-host-'));
  const name = uniqueName(String(config.name ?? 'host'));
  writeFileSync(path.join(dir, 'sticky.config.json'), JSON.stringify({ host: '127.0.0.1', port: 0, workers, ...config, name }, null, 2));
  return runInstance({ dir, configFile: 'sticky.config.json', workers, ownDirs: [dir] });
}
