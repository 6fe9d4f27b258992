import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runNode, type Finished } from './processes.js';

export const ROOT = path.resolve(__dirname, '..', '..');
export const STICKY_BIN = path.join(ROOT, 'bin', 'sticky.js');

export type CliResult = Finished;

/** Runs the real `sticky` executable to completion (killed, and failing, after `timeoutMs`). */
export function runCli(args: string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return runNode([STICKY_BIN, ...args], { cwd: options.cwd ?? ROOT, env: options.env, timeoutMs: options.timeoutMs });
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
