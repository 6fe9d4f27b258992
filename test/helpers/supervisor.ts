import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ResolvedConfig } from '../../src/config/types.js';
import type { ControlReply, StatusSnapshot, WorkerStatus } from '../../src/control/protocol.js';
import { ControlClient } from './control-client.js';
import { startNode, type Started } from './processes.js';

export const PRIMARY = resolve(__dirname, '../fixtures/supervisor/primary.js');
export const APP = resolve(__dirname, '../fixtures/supervisor/app.js');
/** Scripts written by tests live in the repo, so they resolve socket.io from its node_modules. */
export const ARTIFACTS = resolve(__dirname, '../../test-artifacts');

export type ConfigPatch = Partial<Omit<ResolvedConfig, 'reload' | 'restart'>> & {
  reload?: Partial<ResolvedConfig['reload']>;
  restart?: Partial<ResolvedConfig['restart']>;
};

export interface RunningSupervisor {
  proc: Started;
  port: number;
  config: ResolvedConfig;
  configPath: string;
  /** XDG_RUNTIME_DIR of the process: the control socket is in `<runtimeDir>/sticky/`. */
  runtimeDir: string;
  socketPath: string;
  /** Rewrites the config file (read again at the next reload). */
  writeConfig(patch: ConfigPatch): void;
  control(): Promise<ControlClient>;
  status(): Promise<StatusSnapshot>;
  /** Sends `reload` on a fresh connection; resolves with the reply and the progress events. */
  reload(): Promise<{ reply: ControlReply; progress: unknown[] }>;
}

let counter = 0;

/** A full ResolvedConfig for tests: 2 workers, port 0 on 127.0.0.1, short drains. */
export function testConfig(patch: ConfigPatch = {}): ResolvedConfig {
  const base: ResolvedConfig = {
    name: `t${process.pid}-${counter++}`,
    configFile: undefined,
    script: APP,
    cwd: resolve(__dirname, '../..'),
    port: 0,
    host: '127.0.0.1',
    workers: 2,
    routing: { by: 'ip', seed: 0, ipv4Prefix: 32, ipv6Prefix: 128, maxPending: 10_000, accept: 'auto' },
    broadcast: false,
    env: {},
    execArgv: [],
    args: [],
    reload: { readyTimeoutMs: 10_000, drainTimeoutMs: 2_000, killTimeoutMs: 5_000 },
    restart: { minUptimeMs: 1_000, maxBackoffMs: 15_000, maxMemory: undefined },
    health: { heartbeatMs: 1_000, timeoutMs: 10_000, handoffTimeoutMs: 2_000 },
    watch: false,
    log: { level: 'info', file: undefined },
    metrics: false,
  };
  return {
    ...base,
    ...patch,
    reload: { ...base.reload, ...patch.reload },
    restart: { ...base.restart, ...patch.restart },
  } as ResolvedConfig;
}

/** A folder for sockets (short path: sun_path is 108 bytes) or another instance's runtime dir. */
export function runtimeDir(): string {
  return mkdtempSync(join(tmpdir(), 'sticky-rt-'));
}

/** Writes `text` as a script under test-artifacts/ and returns its path. */
export function writeScript(name: string, text: string): string {
  const dir = mkdtempSync(join(ensureArtifacts(), 'script-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export function ensureArtifacts(): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}

/**
 * Starts test/fixtures/supervisor/primary.js (the supervisor as `sticky start` runs it) and
 * waits for start() to resolve. `runtime` shares a runtime dir with another instance.
 */
export interface SpawnOptions {
  /** Share the runtime dir (control socket folder) of another instance. */
  runtime?: string;
  env?: Record<string, string>;
  /** Own process group, like a job started from a shell. */
  detached?: boolean;
}

export async function startSupervisor(patch: ConfigPatch = {}, options: SpawnOptions = {}): Promise<RunningSupervisor> {
  const s = spawnSupervisor(patch, options);
  const port = Number((await s.proc.line(/^STARTED (\d+)$/, 30_000))[1]);
  return { ...s, port };
}

/** Like startSupervisor without waiting: for starts that are meant to fail. */
export function spawnSupervisor(patch: ConfigPatch = {}, options: SpawnOptions = {}): Omit<RunningSupervisor, 'port'> {
  const config = testConfig(patch);
  const dir = mkdtempSync(join(tmpdir(), 'sticky-cfg-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const rt = options.runtime ?? runtimeDir();
  const socketPath = join(rt, 'sticky', `${config.name}.sock`);
  const proc = startNode(PRIMARY, [configPath], { env: { XDG_RUNTIME_DIR: rt, ...options.env }, detached: options.detached });
  let current = config;
  const client = (): Promise<ControlClient> => ControlClient.connect(socketPath);
  return {
    proc,
    config,
    configPath,
    runtimeDir: rt,
    socketPath,
    writeConfig(p) {
      current = { ...current, ...p, reload: { ...current.reload, ...p.reload }, restart: { ...current.restart, ...p.restart } } as ResolvedConfig;
      writeFileSync(configPath, JSON.stringify(current));
    },
    control: client,
    async status() {
      const c = await client();
      try {
        const reply = await c.request('status');
        if (!reply.ok) throw new Error(`status failed: ${reply.error.message}`);
        return reply.result as StatusSnapshot;
      } finally {
        c.close();
      }
    },
    async reload() {
      const c = await client();
      try {
        const progress: unknown[] = [];
        const reply = await c.request('reload', (e) => progress.push(e.data));
        return { reply, progress };
      } finally {
        c.close();
      }
    },
  };
}

/** Pids of the workers that take new connections (state online), slot order. */
export function onlinePids(status: StatusSnapshot): number[] {
  return status.workers.filter((w: WorkerStatus) => w.state === 'online').sort((a, b) => a.slot - b.slot).map((w) => w.pid);
}

/**
 * The lines the workers printed, as the primary's stdout carries them (one `kind: 'app'`
 * record each), once one equals `wanted` or after 5 s (for the assertion to show them):
 * stdout is written asynchronously, so a line may follow a control reply.
 */
export async function appMessages(sup: RunningSupervisor, wanted: string): Promise<string[]> {
  const messages = (): string[] => sup.proc.lines.flatMap((line) => {
    try {
      const record = JSON.parse(line) as { kind?: unknown; msg?: unknown };
      return record.kind === 'app' && typeof record.msg === 'string' ? [record.msg] : [];
    } catch {
      return [];
    }
  });
  const deadline = Date.now() + 5_000;
  while (!messages().includes(wanted) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  return messages();
}
