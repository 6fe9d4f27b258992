// defineConfig's types as users get them: `npm run build` (which `npm test` runs first)
// compiles tsconfig.check.json, that is sticky.config.example.ts, the init templates and
// test/types (whose @ts-expect-error lines must all be errors) against the built package,
// resolved through its own "exports". Compiling again here would only repeat the build, so
// this checks that the build runs that check and that the check covers those files.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { expect, test } from 'vitest';
import { ROOT } from '../helpers/cli.js';

test('npm run build type-checks tsconfig.check.json after emitting the package', () => {
  const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  expect(scripts.build).toMatch(/tsc -p tsconfig\.json && tsc -p tsconfig\.check\.json/);
  expect(scripts.test).toMatch(/^npm run build && /);
});

test('tsconfig.check.json covers the example, the templates and the defineConfig type tests, type-checked strictly', () => {
  const file = path.join(ROOT, 'tsconfig.check.json');
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  expect(error).toBeUndefined();
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, file);
  expect(parsed.errors).toEqual([]);
  const files = parsed.fileNames.map((name) => path.relative(ROOT, name));
  expect(files).toEqual(expect.arrayContaining([
    'sticky.config.example.ts', 'templates/default/sticky.config.ts', 'templates/chat/sticky.config.ts', 'test/types/define-config.ts', 'test/types/define-config-esm.mts',
  ]));
  expect(parsed.options).toMatchObject({ noEmit: true, strict: true, skipLibCheck: false });
});
