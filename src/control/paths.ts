import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The owner-only (0700) folder holding every instance's control socket: under
 * $XDG_RUNTIME_DIR when the session has one, else a per-user folder in the temp dir.
 */
export function controlDir(): string {
  const runtimeDir = process.env.XDG_RUNTIME_DIR;
  if (runtimeDir) return path.join(runtimeDir, 'sticky');
  return path.join(tmpdir(), `sticky-${process.getuid?.() ?? 'user'}`);
}

/** The control socket of the instance called `name`. */
export function controlSocketPath(name: string): string {
  return path.join(controlDir(), `${name}.sock`);
}
