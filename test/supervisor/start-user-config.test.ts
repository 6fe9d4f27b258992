import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { execFileSync } from 'node:child_process';

describe('start() with a user config', () => {
  it('validates it, applies the defaults, serves and stops', () => {
    const out = execFileSync(process.execPath, [resolve(__dirname, '../fixtures/supervisor/start-user-config.mjs')], {
      encoding: 'utf8', timeout: 30_000, env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    const line = out.split('\n').find((l) => l.startsWith('STATUS '))!;
    const status = JSON.parse(line.slice(7));
    expect(status.routing).toBe('ip');
    expect(status.port).toBeGreaterThan(0);
    expect(status.workers.filter((w: { state: string }) => w.state === 'online')).toHaveLength(2);
  });

  it('refuses a wrong one with the key path, starting nothing', () => {
    const script = `import { start } from 'socketio-sticky-session';
      try { await start({ script: './nope.js', routing: { by: 'hedaer' } }); } catch (e) { console.log(e.code + ' ' + e.message); }`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, cwd: resolve(__dirname, '../..') });
    expect(out).toMatch(/STICKY_CONFIG/);
    expect(out).toMatch(/routing\.by: "hedaer"/);
  });
});
