/**
 * Whose control socket is this? The CLI talks only to a socket that it and its folder belong
 * to the user: another user who made /tmp/sticky-<uid> first (no XDG_RUNTIME_DIR) could
 * otherwise answer `sticky stop` with a fake success and put anything on the terminal.
 */
import { lstatSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { StickyUntrustedSocketError } from '../errors.js';
import { describeUid as owner } from '../util/user-name.js';

/** Group or others may write: they could swap the socket for their own. */
const SHARED_WRITE_BITS = 0o022;

/**
 * Throws StickyUntrustedSocketError unless `socketPath`'s folder is a real folder (not a
 * symlink) owned by this user that nobody else can write to, and the socket is a socket owned
 * by this user. Missing paths pass: connecting then says nothing runs. The folder check is
 * what makes the check-then-connect safe: nobody else can replace the socket in between.
 */
export function checkControlSocket(name: string, socketPath: string, uid = process.getuid?.()): void {
  if (uid === undefined) return; // no uids (Windows)
  const dir = dirname(socketPath);
  const folder = lstatOrUndefined(dir);
  if (folder === undefined) return;
  const refuse = (what: string): never => {
    throw new StickyUntrustedSocketError(`refusing the control socket of "${name}": ${what} (it must be yours, ${owner(uid)}, `
      + 'in a folder nobody else can write to); another user may have made it to answer in its place. '
      + 'Remove it, or set XDG_RUNTIME_DIR to a folder of yours, and start the instance again');
  };
  if (folder.isSymbolicLink()) refuse(`its folder ${dir} is a symbolic link`);
  if (!folder.isDirectory()) refuse(`${dir} is not a folder`);
  if (folder.uid !== uid) refuse(`its folder ${dir} belongs to ${owner(folder.uid)}`);
  if ((folder.mode & SHARED_WRITE_BITS) !== 0) refuse(`its folder ${dir} is writable by others (mode ${modeOf(folder)})`);
  const socket = lstatOrUndefined(socketPath);
  if (socket === undefined) return;
  if (!socket.isSocket()) refuse(`${socketPath} is not a socket`);
  if (socket.uid !== uid) refuse(`${socketPath} belongs to ${owner(socket.uid)}`);
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function modeOf(st: Stats): string {
  return (st.mode & 0o777).toString(8).padStart(4, '0');
}
