// The control socket's folder: made 0700, every folder on its path checked, symlinks never
// followed. Before, only the last folder was checked (by lstat, then chmod by path), so root
// run with another user's XDG_RUNTIME_DIR put its socket where that user could replace it.
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureControlDir } from '../../src/control/private-dir.js';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('test/control/private-dir.test.ts: not root, so no folder of another uid can be made: those cases skipped');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function scratch(mode = 0o755): string {
  const d = mkdtempSync(path.join(tmpdir(), 'sticky-pd-'));
  dirs.push(d);
  chmodSync(d, mode);
  return d;
}
const modeOf = (p: string): number => statSync(p).mode & 0o7777;

describe('ensureControlDir', () => {
  it('creates every missing folder 0700', () => {
    const base = scratch();
    const dir = path.join(base, 'run', 'sticky');
    ensureControlDir(dir);
    expect(modeOf(path.join(base, 'run'))).toBe(0o700);
    expect(modeOf(dir)).toBe(0o700);
    ensureControlDir(dir);
  });

  it('makes a wider folder of ours private', () => {
    const base = scratch();
    const dir = path.join(base, 'sticky');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    ensureControlDir(dir);
    expect(modeOf(dir)).toBe(0o700);
  });

  it('refuses a symlink in place of the folder and leaves its target alone', () => {
    const base = scratch();
    const elsewhere = scratch(0o755);
    const dir = path.join(base, 'sticky');
    symlinkSync(elsewhere, dir);
    expect(() => ensureControlDir(dir)).toThrow(`${dir} is a symbolic link`);
    expect(modeOf(elsewhere)).toBe(0o755);
    expect(lstatSync(dir).isSymbolicLink()).toBe(true);
  });

  it('refuses a folder above it that others can write to, unless it has the sticky bit (/tmp)', () => {
    const open = scratch(0o777);
    expect(() => ensureControlDir(path.join(open, 'sticky'))).toThrow(`${open} is writable by others (mode 0777)`);
    const shared = scratch(0o1777);
    ensureControlDir(path.join(shared, 'sticky'));
    expect(modeOf(path.join(shared, 'sticky'))).toBe(0o700);
  });

  it.runIf(isRoot)('refuses a folder above it that belongs to another user (root with their XDG_RUNTIME_DIR)', () => {
    const runtime = scratch(0o700);
    chownSync(runtime, NOBODY, NOBODY);
    const dir = path.join(runtime, 'sticky');
    expect(() => ensureControlDir(dir)).toThrow(`${runtime} belongs to nobody (uid ${NOBODY}), who could replace what is in it`);
  });

  it.runIf(isRoot)('refuses the folder itself when another user made it', () => {
    const base = scratch();
    const dir = path.join(base, 'sticky');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    chownSync(dir, NOBODY, NOBODY);
    expect(() => ensureControlDir(dir)).toThrow(`${dir} belongs to nobody (uid ${NOBODY})`);
    expect(modeOf(dir)).toBe(0o777);
  });
});
