// defineConfig's types as users get them: tsconfig.check.json compiles sticky.config.example.ts,
// the init templates and test/types (whose @ts-expect-error lines must all be errors)
// against the built package, resolved through its own "exports".
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { ROOT } from '../helpers/cli.js';

test('sticky.config.example.ts, the templates and the defineConfig type tests type-check', async () => {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // --listFiles: tsc prints what it compiled; it exits non-zero (execFile rejects) on any type error.
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.check.json', '--listFiles'], { cwd: ROOT, timeout: 60_000 });
  const files = result.stdout.split('\n').map((file) => path.relative(ROOT, file));
  expect(files).toEqual(expect.arrayContaining([
    'sticky.config.example.ts', 'templates/default/sticky.config.ts', 'test/types/define-config.ts', 'test/types/define-config-esm.mts',
    'dist/index.d.ts', 'esm/index.d.mts',
  ]));
}, 90_000);
