// templates/sticky.service, checked by systemd's own parser (systemd-analyze verify, from
// Debian's systemd package; nothing is started) with only its paths changed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../../src/cluster/worker-pool.js';

const ROOT = path.resolve(__dirname, '../..');
const UNIT = readFileSync(path.join(ROOT, 'templates/sticky.service'), 'utf8');
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The unit with /srv/chat moved to a temporary app folder whose .bin/sticky is this package's CLI. */
function installed(edit: (unit: string) => string = (u) => u): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sticky-systemd-'));
  dirs.push(dir);
  const app = path.join(dir, 'srv/chat');
  mkdirSync(path.join(app, 'node_modules/.bin'), { recursive: true });
  symlinkSync(path.join(ROOT, 'bin/sticky.js'), path.join(app, 'node_modules/.bin/sticky'));
  const file = path.join(dir, 'chat.service');
  writeFileSync(file, edit(UNIT.replaceAll('/srv/chat', app)));
  return file;
}

function verify(file: string): { status: number | null; output: string } {
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw new Error(`systemd-analyze (Debian package systemd) is needed for this test: ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function directive(unit: string, key: string): string[] {
  return [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!.trim());
}

describe('templates/sticky.service', () => {
  it('passes systemd-analyze verify without a warning', () => {
    expect(verify(installed())).toEqual({ status: 0, output: '' });
  });

  it('the check is real: a misspelt key and a missing program are reported', () => {
    expect(verify(installed((u) => u.replace('KillMode=', 'KillMod='))).output).toMatch(/Unknown key 'KillMod'/);
    const missing = verify(installed((u) => u.replace('.bin/sticky start', '.bin/nothere start')));
    expect(missing.status).not.toBe(0);
    expect(missing.output).toMatch(/nothere is not executable/);
  });

  it('reloads with sticky reload, stops with SIGTERM to the primary, waits longer than a drain, restarts on failure', () => {
    expect(directive(UNIT, 'ExecStart')).toEqual([expect.stringMatching(/\/sticky start --config \S+sticky\.config\.ts$/)]);
    expect(directive(UNIT, 'ExecReload')).toEqual([expect.stringMatching(/\/sticky reload --config \S+sticky\.config\.ts$/)]);
    expect(directive(UNIT, 'KillSignal')).toEqual(['SIGTERM']);
    // control-group would SIGTERM the workers too, cutting their drain short.
    expect(directive(UNIT, 'KillMode')).toEqual(['mixed']);
    expect(Number(directive(UNIT, 'TimeoutStopSec')[0]) * 1000).toBeGreaterThan(DEFAULT_DRAIN_TIMEOUT_MS);
    expect(directive(UNIT, 'Restart')).toEqual(['on-failure']);
    expect(directive(UNIT, 'RestartPreventExitStatus')).toEqual(['2']);
  });
});
