/**
 * The control socket's folder, made and checked without trusting the path twice: root run
 * with another user's XDG_RUNTIME_DIR must not be steered by a symlink or a swapped folder
 * into chmod-ing (or putting its socket in) a place that user controls.
 */
import { closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, realpathSync, type Stats } from 'node:fs';
import { dirname, join, parse, relative, resolve, sep } from 'node:path';
import { StickySetupError } from '../errors.js';
import { describeUid } from '../util/user-name.js';

const OPEN_FOLDER = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** Others may write to the folder, and so rename or replace what is in it... */
const SHARED_WRITE_BITS = 0o022;
/** ...unless only an entry's owner may do that (/tmp). */
const STICKY_BIT = 0o1000;
const PRIVATE_MODE = 0o700;

/**
 * Creates `dir` (0700) and any missing folder above it, and checks every folder on the way:
 * existing ancestors belong to root or this user and nobody else can rename their entries;
 * the folders it made or uses are real folders (opened with O_NOFOLLOW) owned by this user.
 * The mode is fixed through the open descriptor, never through the path.
 */
export function ensureControlDir(dir: string): void {
  const uid = process.getuid?.();
  if (uid === undefined) {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_MODE }); // no uids (Windows)
    return;
  }
  const target = resolve(dir);
  const fail = (why: string, cause?: unknown): never => {
    throw new StickySetupError(`control socket folder ${target}: ${why}; remove it or set XDG_RUNTIME_DIR to a folder of yours`, { cause });
  };
  let existing = dirname(target);
  while (lstatOrUndefined(existing) === undefined && existing !== parse(existing).root) existing = dirname(existing);
  // Symlinks above the first existing folder (/var/run -> /run) are the system's: resolve them once, then check each step.
  const base = realpathSync(existing);
  checkAncestors(base, uid, fail);
  const parts = relative(existing, target).split(sep).filter((p) => p !== '');
  let path = base;
  parts.forEach((part, i) => {
    path = join(path, part);
    try {
      mkdirSync(path, { mode: PRIVATE_MODE });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') fail(`cannot create ${path}: ${(err as Error).message}`, err);
    }
    checkOwnFolder(path, uid, i === parts.length - 1, fail);
  });
}

function checkAncestors(real: string, uid: number, fail: (why: string) => never): void {
  const { root } = parse(real);
  let path = root;
  for (const part of [''].concat(real.slice(root.length).split(sep).filter((p) => p !== ''))) {
    path = join(path, part);
    const st = lstatSync(path);
    if (!st.isDirectory()) fail(`${path} is not a folder`);
    if (st.uid !== 0 && st.uid !== uid) fail(`${path} belongs to ${describeUid(st.uid)}, who could replace what is in it`);
    if ((st.mode & SHARED_WRITE_BITS) !== 0 && (st.mode & STICKY_BIT) === 0) {
      fail(`${path} is writable by others (mode ${modeOf(st)}), who could replace what is in it`);
    }
  }
}

/** Opens `path` without following a symlink, checks it is this user's folder, makes the last one private. */
function checkOwnFolder(path: string, uid: number, last: boolean, fail: (why: string, cause?: unknown) => never): void {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FOLDER);
  } catch (err) {
    // With O_DIRECTORY, Linux answers ENOTDIR for a symlink; say which it was.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || lstatOrUndefined(path)?.isSymbolicLink()) return fail(`${path} is a symbolic link`, err);
    return fail(code === 'ENOTDIR' ? `${path} is not a folder` : (err as Error).message, err);
  }
  try {
    const st = fstatSync(fd);
    if (st.uid !== uid) fail(`${path} belongs to ${describeUid(st.uid)}, not to ${describeUid(uid)}`);
    if (last && (st.mode & 0o077) !== 0) fchmodSync(fd, PRIVATE_MODE);
    else if (!last && (st.mode & SHARED_WRITE_BITS) !== 0) fail(`${path} is writable by others (mode ${modeOf(st)})`);
  } finally {
    closeSync(fd);
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function modeOf(st: Stats): string {
  return (st.mode & 0o7777).toString(8).padStart(4, '0');
}
