import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { controlSocketPath } from '../../src/control/paths.js';

describe('controlSocketPath', () => {
  const saved = process.env.XDG_RUNTIME_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
    else process.env.XDG_RUNTIME_DIR = saved;
  });

  it('lives in $XDG_RUNTIME_DIR/sticky when set, else in a per-user folder of the temp dir', () => {
    process.env.XDG_RUNTIME_DIR = '/run/user/1000';
    expect(controlSocketPath('chat')).toBe('/run/user/1000/sticky/chat.sock');
    delete process.env.XDG_RUNTIME_DIR;
    expect(controlSocketPath('chat')).toBe(join(tmpdir(), `sticky-${process.getuid!()}`, 'chat.sock'));
  });

  it('keeps names inside the folder', () => {
    process.env.XDG_RUNTIME_DIR = '/run/user/1000';
    expect(controlSocketPath('../etc/x y')).toBe('/run/user/1000/sticky/.._etc_x_y.sock');
  });

  it('refuses names that cannot make a usable socket path', () => {
    process.env.XDG_RUNTIME_DIR = '/run/user/1000';
    expect(() => controlSocketPath('')).toThrow(/name: "" cannot name a control socket/);
    expect(() => controlSocketPath('n'.repeat(200))).toThrow(/longer than 103 bytes/);
  });
});
