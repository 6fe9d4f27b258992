import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StickySetupError } from '../errors.js';

/** sockaddr_un.sun_path is 108 bytes on Linux (104 on macOS), with the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 103;

/** The owner-only folder holding every instance's control socket. */
export function controlDir(): string {
  const runtime = process.env.XDG_RUNTIME_DIR;
  if (runtime) return join(runtime, 'sticky');
  return join(tmpdir(), `sticky-${process.getuid?.() ?? 'user'}`);
}

/**
 * Where the instance called `name` answers: `<controlDir>/<name>.sock`, with characters
 * other than letters, digits, `.`, `_` and `-` replaced by `_`.
 */
export function controlSocketPath(name: string): string {
  if (name.length === 0) throw new StickySetupError('name: "" cannot name a control socket');
  const path = join(controlDir(), `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.sock`);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new StickySetupError(`name: control socket path ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes; use a shorter name or XDG_RUNTIME_DIR`);
  }
  return path;
}

/**
 * Creates the folder (0700) if needed and checks it is a real folder of ours that nobody
 * else can enter, so the socket in it is reachable by its owner only.
 */
export function ensureControlDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new StickySetupError(`cannot create the control socket folder ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const st = lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) {
    throw new StickySetupError(`control socket folder ${dir} is not a folder owned by uid ${uid}; remove it or set XDG_RUNTIME_DIR`);
  }
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}
