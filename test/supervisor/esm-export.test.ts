import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

describe("import { start } from 'socketio-sticky-session'", () => {
  it('is the same function as the default export\'s and require()\'s start', () => {
    const out = execFileSync(process.execPath, [resolve(__dirname, '../fixtures/supervisor/esm-start.mjs')], { encoding: 'utf8', timeout: 10_000 });
    expect(JSON.parse(out)).toEqual({ start: 'function', sameAsDefault: true, sameAsCjs: true });
  });
});
