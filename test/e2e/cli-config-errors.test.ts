// Every class of config mistake: `sticky start` exits 2, names the key path, value and
// what is allowed, one line each, and starts nothing (no control socket appears).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { controlSocketPath } from '../../src/control/paths.js';
import { makeProject, removeProject, runCli, uniqueName } from '../helpers/cli.js';

const SERVER = 'module.exports = () => require("node:http").createServer();\n';
const projects: string[] = [];

afterAll(() => projects.forEach(removeProject));

/** Writes `files` (plus server.js) and runs `sticky start --config <configFile>`. */
async function startWith(configFile: string, files: Record<string, string>) {
  const dir = makeProject('config-errors', { 'server.js': SERVER, ...files });
  projects.push(dir);
  return runCli(['start', '--config', configFile], { cwd: dir });
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

describe.concurrent('sticky start with a wrong config', () => {
  test.each(cases)('$what → exit 2 naming the key', async ({ config, lines }) => {
    const name = uniqueName('bad');
    const result = await startWith('sticky.config.json', { 'sticky.config.json': json({ name, ...config }) });
    expect(result.code).toBe(2);
    const problems = result.stderr.trim().split('\n').slice(1).map((line) => line.trim());
    expect(problems).toHaveLength(lines.length);
    lines.forEach((line, index) => expect(problems[index]).toContain(line));
    expect(result.stderr.split('\n')[0]).toMatch(/sticky\.config\.json: \d+ problems?$/);
    expect(result.stdout).toBe('');
    expect(existsSync(controlSocketPath(name))).toBe(false);
  });

  test('a syntax error in sticky.config.ts → exit 2 with its line', async () => {
    const result = await startWith('sticky.config.ts', {
      'sticky.config.ts': 'export default {\n  script: "./server.js",,\n};\n',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sticky.config.ts: 1 problem');
    expect(result.stderr).toMatch(/cannot load the config: line 2, column \d+: /);
  });

  test('sticky.config.ts with values the balancer used to refuse later → exit 2, one line each, naming the file', async () => {
    const name = uniqueName('bad');
    const result = await startWith('sticky.config.ts', {
      'sticky.config.ts': `export default {
  name: ${JSON.stringify(name)},
  script: './server.js',
  routing: { by: 'header' as const, trustedHops: 100, headerTimeoutMs: 7.2e6, maxPending: 5e6, maxHeaderBytes: 512 },
};
`,
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n').map((line) => line.trim())).toEqual([
      expect.stringMatching(/sticky\.config\.ts: 4 problems$/),
      'routing.trustedHops: 100 is not an integer from 1 to 64',
      'routing.headerTimeoutMs: 7200000 is not an integer from 1 to 3600000',
      'routing.maxPending: 5000000 is not an integer from 1 to 1000000',
      'routing.maxHeaderBytes: 512 is not an integer from 1024 to 1048576',
    ]);
    expect(existsSync(controlSocketPath(name))).toBe(false);
  });

  test('a .ts config that fails at load time → exit 2 naming the file, not its temporary copy', async () => {
    const result = await startWith('sticky.config.ts', { 'sticky.config.ts': 'throw new Error("boom");\nexport default {};\n' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot load the config: boom');
    expect(result.stderr).not.toMatch(/\.mjs/);
  });

  test('invalid JSON → exit 2', async () => {
    const result = await startWith('sticky.config.json', { 'sticky.config.json': '{ "script": "./server.js", }' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot load the config: JSONError: JSON Error in');
  });

  test('a default export that is not an object → exit 2', async () => {
    const result = await startWith('sticky.config.mjs', { 'sticky.config.mjs': 'export default 42;\n' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('config: 42 is not an object; export one');
  });

  test('an empty config file → exit 2', async () => {
    const result = await startWith('sticky.config.cjs', { 'sticky.config.cjs': '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the config is empty');
  });

  test('--config naming a file that does not exist → exit 2', async () => {
    const result = await startWith('nope.config.ts', {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^sticky: --config: "nope.config.ts" does not exist \(resolved to .*nope.config.ts\)\n$/);
  });

  test('no config anywhere up to the project root → exit 2 suggesting sticky init', async () => {
    const dir = makeProject('config-errors');
    projects.push(dir);
    const result = await runCli(['start'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no sticky config found in ${dir}`);
    expect(result.stderr).toContain('sticky init');
  });

  test('a wrong flag → exit 2 with a suggestion', async () => {
    const result = await runCli(['start', '--confg', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sticky start: unknown option --confg (did you mean --config?)');
  });
});

test('relative paths in the messages resolve against the config folder, not the shell\'s', async () => {
  const dir = makeProject('config-errors', { 'app/sticky.config.json': json({ script: './missing.js' }) });
  projects.push(dir);
  const result = await runCli(['start', '--config', 'app/sticky.config.json'], { cwd: dir });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`(resolved to ${path.join(dir, 'app', 'missing.js')})`);
});
