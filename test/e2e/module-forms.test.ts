import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

describe('the package loads with require() and import', () => {
  it('require() returns the callable sticky(); import gives it as default plus named exports', () => {
    const out = execFileSync(process.execPath, [resolve(__dirname, '../fixtures/module-forms.mjs')], { encoding: 'utf8', timeout: 10_000 });
    expect(JSON.parse(out)).toEqual({ esmDefault: 'function', esmListen: 'function', cjs: 'function', cjsListen: 'function', same: true });
  });
});
