// A .ts config is compiled once per content: later CLI calls read the compiled module from
// the cache and never load TypeScript (about a second per call); an edit is seen at once;
// a syntax error still names its line in the user's file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { makeProject, removeProject, ROOT } from '../helpers/cli.js';

const cacheHome = mkdtempSync(path.join(tmpdir(), 'sticky-cache-'));
const dir = makeProject('ts-loader');
const configFile = path.join(dir, 'sticky.config.ts');
afterAll(() => {
  removeProject(dir);
  rmSync(cacheHome, { recursive: true, force: true });
});

/** Loads the config in a fresh process: what it exported, and whether TypeScript was loaded. */
function load(): { config?: unknown; typescriptLoaded?: boolean; error?: string } {
  const script = `
    const { readConfigFile } = require(${JSON.stringify(path.join(ROOT, 'dist/config/load.js'))});
    readConfigFile({ configFile: ${JSON.stringify(configFile)} }).then(
      ({ config }) => console.log(JSON.stringify({ config, typescriptLoaded: Object.keys(require.cache).some((k) => k.includes('/typescript/lib/typescript.js')) })),
      (err) => console.log(JSON.stringify({ error: err.problems ? err.problems.join('; ') : String(err) })),
    );`;
  const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, XDG_CACHE_HOME: cacheHome }, encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out) as ReturnType<typeof load>;
}

const CONFIG = (port: number) => `import { defineConfig } from 'socketio-sticky-session';
const port: number = ${port};
export default defineConfig({ script: './server.js', port });
`;

const cached = () => readdirSync(path.join(cacheHome, 'socketio-sticky-session', 'config'));

test('compiles once, then loads from the cache without TypeScript', () => {
  writeFileSync(configFile, CONFIG(4100));
  expect(load()).toEqual({ config: { script: './server.js', port: 4100 }, typescriptLoaded: true });
  expect(cached()).toHaveLength(1);
  expect(load()).toEqual({ config: { script: './server.js', port: 4100 }, typescriptLoaded: false });
  // Nothing left beside the config.
  expect(readdirSync(dir)).toEqual(['sticky.config.ts']);
});

test('an edited config is compiled again and its new value seen', () => {
  writeFileSync(configFile, CONFIG(4200));
  expect(load()).toEqual({ config: { script: './server.js', port: 4200 }, typescriptLoaded: true });
  expect(cached()).toHaveLength(2);
});

test("a syntax error names its line in the user's file, and nothing is cached for it", () => {
  writeFileSync(configFile, 'export default {\n  script: ,\n};\n');
  expect(load().error).toMatch(/cannot load the config: line 2, column \d+: Expression expected/);
  expect(cached()).toHaveLength(2);
});
