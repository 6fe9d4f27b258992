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
