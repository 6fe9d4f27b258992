// cosmiconfig discovery of every config format, path resolution against the config's
// folder, defaults, and fresh reads (a reload sees an edited config).
import { readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { makeProject, removeProject } from '../helpers/cli.js';

const SERVER = 'module.exports = () => require("node:http").createServer();\n';
const projects: string[] = [];

afterAll(() => projects.forEach(removeProject));

function project(files: Record<string, string>): string {
  const dir = makeProject('discovery', { 'server.js': SERVER, ...files });
  projects.push(dir);
  return dir;
}

const formats: [string, Record<string, string>][] = [
  ['sticky.config.ts', {
    'sticky.config.ts': "import { defineConfig } from 'socketio-sticky-session';\n"
      + "const port: number = 4001;\nexport default defineConfig({ script: './server.js', port });\n",
  }],
  ['sticky.config.js (CommonJS)', { 'sticky.config.js': "module.exports = { script: './server.js', port: 4001 };\n" }],
  ['sticky.config.mjs', { 'sticky.config.mjs': "export default { script: './server.js', port: 4001 };\n" }],
  ['sticky.config.cjs', { 'sticky.config.cjs': "module.exports = { script: './server.js', port: 4001 };\n" }],
  ['sticky.config.json', { 'sticky.config.json': '{ "script": "./server.js", "port": 4001 }' }],
  ['.stickyrc (YAML)', { '.stickyrc': 'script: ./server.js\nport: 4001\n' }],
  ['.stickyrc.json', { '.stickyrc.json': '{ "script": "./server.js", "port": 4001 }' }],
  ['.stickyrc.yaml', { '.stickyrc.yaml': 'script: ./server.js\nport: 4001\n' }],
  ['.stickyrc.ts', { '.stickyrc.ts': "export default { script: './server.js', port: 4001 as number };\n" }],
  ['.stickyrc.mjs', { '.stickyrc.mjs': "export default { script: './server.js', port: 4001 };\n" }],
  ['package.json#sticky', { 'package.json': JSON.stringify({ name: 'app', sticky: { script: './server.js', port: 4001 } }) }],
];

describe('discovery from the current folder', () => {
  test.each(formats)('%s', async (file, files) => {
    const dir = project(files);
    const config = await loadConfig({ cwd: dir });
    expect(config.port).toBe(4001);
    expect(config.script).toBe(path.join(dir, 'server.js'));
    expect(config.configFile).toBe(path.join(dir, file.split(' ')[0]!.replace('#sticky', '')));
    expect(config.name).toBe(path.basename(dir));
  });
});

test('.config/stickyrc.json anchors paths and the name at the project folder above it', async () => {
  const dir = project({ '.config/stickyrc.json': '{ "script": "./server.js" }' });
  const config = await loadConfig({ cwd: dir });
  expect(config.script).toBe(path.join(dir, 'server.js'));
  expect(config.cwd).toBe(dir);
  expect(config.name).toBe(path.basename(dir));
});

test('sticky.config.ts wins over package.json#sticky in the same folder', async () => {
  const dir = project({
    'package.json': JSON.stringify({ name: 'app', sticky: { script: './server.js', port: 1 } }),
    'sticky.config.ts': "export default { script: './server.js', port: 2 };\n",
  });
  expect((await loadConfig({ cwd: dir })).port).toBe(2);
});

test('from a subfolder, discovery walks up to the project root', async () => {
  const dir = project({ 'package.json': '{ "name": "app" }', 'sticky.config.json': '{ "script": "./server.js" }', 'src/deep/.keep': '' });
  const config = await loadConfig({ cwd: path.join(dir, 'src', 'deep') });
  expect(config.configFile).toBe(path.join(dir, 'sticky.config.json'));
  expect(config.script).toBe(path.join(dir, 'server.js'));
});

test('discovery stops at the nearest package.json', async () => {
  const dir = project({ 'sticky.config.json': '{ "script": "./server.js" }', 'sub/package.json': '{ "name": "sub" }' });
  await expect(loadConfig({ cwd: path.join(dir, 'sub') })).rejects.toThrow(/no sticky config found/);
});

test('--config takes any file name, relative to the current folder', async () => {
  const dir = project({ 'deploy/prod.config.mjs': "export default { script: '../server.js', cwd: '..', watch: { paths: ['../src'] } };\n" });
  const config = await loadConfig({ cwd: dir, configFile: 'deploy/prod.config.mjs' });
  expect(config.script).toBe(path.join(dir, 'server.js'));
  expect(config.cwd).toBe(dir);
  expect(config.watch).toEqual({ paths: [path.join(dir, 'src')], debounceMs: 250, ignored: [] });
  expect(config.name).toBe('deploy');
});

test('defaults of DESIGN.md', async () => {
  const dir = project({ 'sticky.config.json': '{ "script": "./server.js" }' });
  const config = await loadConfig({ cwd: dir });
  expect(config).toEqual({
    name: path.basename(dir),
    configFile: path.join(dir, 'sticky.config.json'),
    script: path.join(dir, 'server.js'),
    cwd: dir,
    port: 3000,
    host: '0.0.0.0',
    workers: availableParallelism(),
    routing: { by: 'ip', accept: 'auto', seed: 0, maxPending: 10_000 },
    broadcast: false,
    env: {},
    execArgv: [],
    args: [],
    reload: { readyTimeoutMs: 10_000, drainTimeoutMs: 30_000, killTimeoutMs: 5_000 },
    restart: { minUptimeMs: 1_000, maxBackoffMs: 15_000, maxMemory: undefined },
    health: { heartbeatMs: 1_000, timeoutMs: 10_000, handoffTimeoutMs: 2_000 },
    watch: false,
    log: { level: 'info', file: undefined, maxSize: 10 * 1024 * 1024, keep: 5 },
    metrics: false,
  });
});

test('header mode defaults, and the header name lower-cased', async () => {
  const dir = project({ 'sticky.config.json': '{ "script": "./server.js", "routing": { "by": "header", "header": "X-Real-IP", "ipv4Prefix": 24 } }' });
  expect((await loadConfig({ cwd: dir })).routing).toEqual({
    by: 'header', header: 'x-real-ip', trustedHops: 1, ignoreMissingHeader: false, headerTimeoutMs: 10_000, maxHeaderBytes: 16_384,
    seed: 0, maxPending: 10_000, ipv4Prefix: 24,
  });
});

test('a folder name that cannot name a socket is made into one', async () => {
  const dir = project({ 'my app (v2)/sticky.config.json': '{ "script": "../server.js" }' });
  expect((await loadConfig({ cwd: path.join(dir, 'my app (v2)') })).name).toBe('my-app-v2');
});

describe('each load reads the file again (a reload sees edits)', () => {
  test.each(['sticky.config.mjs', 'sticky.config.cjs', 'sticky.config.ts'])('%s', async (file) => {
    const body = (port: number) => (file.endsWith('.cjs') ? `module.exports = { script: './server.js', port: ${port} };\n` : `export default { script: './server.js', port: ${port} };\n`);
    const dir = project({ [file]: body(1) });
    expect((await loadConfig({ cwd: dir })).port).toBe(1);
    writeFileSync(path.join(dir, file), body(2));
    expect((await loadConfig({ cwd: dir })).port).toBe(2);
  });
});

test('loading a .ts config leaves no temporary file behind', async () => {
  const dir = project({ 'sticky.config.ts': "export default { script: './server.js' };\n" });
  await loadConfig({ cwd: dir });
  expect(readdirSync(dir).sort()).toEqual(['server.js', 'sticky.config.ts']);
});
