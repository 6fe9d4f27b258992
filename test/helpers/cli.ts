import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StatusSnapshot } from '../../src/control/protocol.js';
import { startNode, type Started } from './processes.js';
import { waitFor } from './wait-for.js';

export const ROOT = path.resolve(__dirname, '..', '..');
export const STICKY_BIN = path.join(ROOT, 'bin', 'sticky.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `sticky` executable to completion (killed, and failing, after `timeoutMs`). */
export function runCli(args: string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STICKY_BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sticky ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * A fresh folder under test-artifacts/ (inside the package, so a config's
 * `import ... from 'socketio-sticky-session'` resolves to this package, and socket.io
 * to its devDependency). `files` maps relative paths to contents.
 */
export function makeProject(prefix: string, files: Record<string, string> = {}): string {
  const parent = path.join(ROOT, 'test-artifacts');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, `${prefix}-`));
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
}

export function removeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A unique instance name, so parallel test files never share a control socket. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * `sticky start` in `dir` with its own XDG_RUNTIME_DIR (so its control socket is apart
 * from every other test's); resolves once `workers` workers are online.
 */
export async function startInstance(dir: string, workers: number): Promise<Instance> {
  const runtimeDir = mkdtempSync(path.join(tmpdir(), 'sticky-rt-'));
  const env = { XDG_RUNTIME_DIR: runtimeDir };
  const primary = startNode(STICKY_BIN, ['start'], env, dir);
  const status = async (): Promise<StatusSnapshot> => {
    const result = await runCli(['status', '--json'], { cwd: dir, env });
    // 3: it runs, a slot is not online (the snapshot is printed all the same).
    if (result.code !== 0 && result.code !== 3) throw new Error(`sticky status --json exited ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as StatusSnapshot;
  };
  const online = await waitFor(async () => {
    const snapshot = await status();
    return snapshot.workers.filter((worker) => worker.state === 'online').length === workers ? snapshot : undefined;
  }, 30_000, `${workers} workers online (stderr: ${primary.stderr.join('').slice(-500)})`);
  return {
    primary,
    env,
    runtimeDir,
    online,
    status,
    async kill() {
      await primary.kill();
      rmSync(runtimeDir, { recursive: true, force: true });
    },
  };
}

export interface Instance {
  primary: Started;
  /** XDG_RUNTIME_DIR for every CLI call that should reach this instance. */
  env: { XDG_RUNTIME_DIR: string };
  runtimeDir: string;
  /** Its first snapshot with every worker online. */
  online: StatusSnapshot;
  status(): Promise<StatusSnapshot>;
  kill(): Promise<void>;
}
