// Every class of config mistake, through the public entry `sticky start` uses (loadConfig):
// each problem names the key path, the value and what is allowed, one line each, and the
// error names the file. test/e2e/cli-config-errors.test.ts runs one real case through the CLI.
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { StickyConfigError } from '../../src/errors.js';
import { makeProject, removeProject } from '../helpers/cli.js';

const SERVER = 'module.exports = () => require("node:http").createServer();\n';
const projects: string[] = [];

afterAll(() => projects.forEach(removeProject));

function project(files: Record<string, string>): string {
  const dir = makeProject('config-errors', { 'server.js': SERVER, ...files });
  projects.push(dir);
  return dir;
}

/** The StickyConfigError loadConfig throws (failing the test if it resolves). */
async function loadError(options: Parameters<typeof loadConfig>[0]): Promise<StickyConfigError> {
  const outcome = await loadConfig(options).then((config) => config, (error: unknown) => error);
  expect(outcome).toBeInstanceOf(StickyConfigError);
  return outcome as StickyConfigError;
}

function json(config: Record<string, unknown>): string {
  return JSON.stringify(config, null, 2);
}

interface Case {
  what: string;
  config: Record<string, unknown>;
  lines: string[];
}

const cases: Case[] = [
  { what: 'misspelt top-level key', config: { script: './server.js', prot: 3000 }, lines: ['prot: unknown key (did you mean "port"?)'] },
  { what: 'misspelt nested key', config: { script: './server.js', reload: { readyTimeout: 5 } }, lines: ['reload.readyTimeout: unknown key (did you mean "readyTimeoutMs"?)'] },
  { what: 'unknown key without a near match', config: { script: './server.js', color: 'blue' }, lines: ['color: unknown key; allowed keys: name, script,'] },
  { what: 'wrong type', config: { script: './server.js', port: '3000' }, lines: ['port: "3000" is not an integer from 0 to 65535'] },
  { what: 'out of range', config: { script: './server.js', port: 70_000 }, lines: ['port: 70000 is not an integer from 0 to 65535'] },
  { what: 'not an integer', config: { script: './server.js', reload: { drainTimeoutMs: 1.5 } }, lines: ['reload.drainTimeoutMs: 1.5 is not an integer from 0 to 2147483647'] },
  { what: 'workers', config: { script: './server.js', workers: 0 }, lines: ['workers: 0 is not "auto" or an integer from 1 to 1024'] },
  {
    what: 'enum with a typo',
    config: { script: './server.js', routing: { by: 'hedaer' } },
    lines: ['routing.by: "hedaer" is not one of ip, header, proxy-protocol (did you mean "header"?)'],
  },
  {
    what: 'option of another routing mode',
    config: { script: './server.js', routing: { by: 'ip', trustedHops: 2 } },
    lines: ['routing.trustedHops: only allowed when routing.by is "header" (it is "ip")'],
  },
  { what: 'prefix range', config: { script: './server.js', routing: { by: 'ip', ipv6Prefix: 129 } }, lines: ['routing.ipv6Prefix: 129 is not an integer from 1 to 128'] },
  { what: 'header name', config: { script: './server.js', routing: { by: 'header', header: 'x forwarded' } }, lines: ['routing.header: "x forwarded" is not an HTTP header name'] },
  { what: 'missing script', config: { port: 3000 }, lines: ['script: missing; set it to the worker entry, e.g. "./server.js"'] },
  { what: 'script that does not exist', config: { script: './srv.js' }, lines: ['script: "./srv.js" does not exist (resolved to '] },
  { what: 'script that is a folder', config: { script: '.' }, lines: ['script: "." is a folder, not a file'] },
  { what: 'cwd that does not exist', config: { script: './server.js', cwd: './nowhere' }, lines: ['cwd: "./nowhere" is not an existing folder'] },
  { what: 'bad name', config: { script: './server.js', name: 'my app' }, lines: ['name: "my app" is not a name of 1 to 64 letters'] },
  { what: 'watch: true', config: { script: './server.js', watch: true }, lines: ['watch: true is not false or an object like { paths: ["dist"] }'] },
  { what: 'watch without paths', config: { script: './server.js', watch: { debounceMs: 10 } }, lines: ['watch.paths: missing; list what to watch'] },
  { what: 'empty watch list', config: { script: './server.js', watch: { paths: [] } }, lines: ['watch.paths: [] is empty; list at least one'] },
  { what: 'env value', config: { script: './server.js', env: { PORT: 3000 } }, lines: ['env.PORT: 3000 is not a string'] },
  { what: 'list of strings', config: { script: './server.js', execArgv: '--inspect' }, lines: ['execArgv: "--inspect" is not a list of strings'] },
  { what: 'list entry', config: { script: './server.js', args: ['a', 2] }, lines: ['args[1]: 2 is not a string'] },
  {
    what: 'log level',
    config: { script: './server.js', log: { level: 'verbose' } },
    lines: ['log.level: "verbose" is not one of trace, debug, info, warn, error, fatal, silent'],
  },
  { what: 'broadcast', config: { script: './server.js', broadcast: 'redis' }, lines: ['broadcast: "redis" is not one of cluster, false'] },
  {
    what: 'every problem at once',
    config: { scrpt: './server.js', port: -1, routing: { by: 'proxy', seed: 'x' }, log: 'info' },
    lines: [
      'scrpt: unknown key (did you mean "script"?)',
      'port: -1 is not an integer from 0 to 65535',
      'routing.by: "proxy" is not one of ip, header, proxy-protocol',
      'routing.seed: "x" is not an integer from 0 to 4294967295',
      'log: "info" is not an object with keys level',
    ],
  },
];

describe('a wrong config', () => {
  test.each(cases)('$what → every problem, naming the key', async ({ config, lines }) => {
    const dir = project({ 'sticky.config.json': json(config) });
    const error = await loadError({ cwd: dir, configFile: 'sticky.config.json' });
    expect(error.file).toBe(path.join(dir, 'sticky.config.json'));
    expect(error.problems).toHaveLength(lines.length);
    lines.forEach((line, index) => expect(error.problems[index]).toContain(line));
  });
});

describe('a config that cannot be loaded', () => {
  test('a syntax error in sticky.config.ts → its line', async () => {
    const dir = project({ 'sticky.config.ts': 'export default {\n  script: "./server.js",,\n};\n' });
    const error = await loadError({ cwd: dir, configFile: 'sticky.config.ts' });
    expect(error.file).toBe(path.join(dir, 'sticky.config.ts'));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^cannot load the config: line 2, column \d+: /);
  });

  test('a .ts config that fails at load time → names the file, not its temporary copy', async () => {
    const dir = project({ 'sticky.config.ts': 'throw new Error("boom");\nexport default {};\n' });
    const error = await loadError({ cwd: dir, configFile: 'sticky.config.ts' });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain('cannot load the config: boom');
    expect(error.problems[0]).not.toMatch(/\.mjs/);
  });

  test('invalid JSON', async () => {
    const dir = project({ 'sticky.config.json': '{ "script": "./server.js", }' });
    const error = await loadError({ cwd: dir, configFile: 'sticky.config.json' });
    expect(error.problems[0]).toContain('cannot load the config: JSONError: JSON Error in');
  });

  test('a default export that is not an object', async () => {
    const dir = project({ 'sticky.config.mjs': 'export default 42;\n' });
    const error = await loadError({ cwd: dir, configFile: 'sticky.config.mjs' });
    expect(error.problems[0]).toContain('config: 42 is not an object; export one');
  });

  test('an empty config file', async () => {
    const dir = project({ 'sticky.config.cjs': '' });
    const error = await loadError({ cwd: dir, configFile: 'sticky.config.cjs' });
    expect(error.problems[0]).toContain('the config is empty');
  });

  test('--config naming a file that does not exist', async () => {
    const dir = project({});
    const error = await loadError({ cwd: dir, configFile: 'nope.config.ts' });
    expect(error.problems).toEqual([`--config: "nope.config.ts" does not exist (resolved to ${path.join(dir, 'nope.config.ts')})`]);
  });

  test('no config anywhere up to the project root → suggests sticky init', async () => {
    const dir = makeProject('config-errors');
    projects.push(dir);
    const error = await loadError({ cwd: dir });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain(`no sticky config found in ${dir}`);
    expect(error.problems[0]).toContain('sticky init');
  });
});

test('relative paths in the messages resolve against the config folder, not the current one', async () => {
  const dir = makeProject('config-errors', { 'app/sticky.config.json': json({ script: './missing.js' }) });
  projects.push(dir);
  const error = await loadError({ cwd: dir, configFile: 'app/sticky.config.json' });
  expect(error.problems[0]).toContain(`(resolved to ${path.join(dir, 'app', 'missing.js')})`);
});
