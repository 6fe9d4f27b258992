// A config mistake through the real `sticky start`: exit 2, the file and the problem count on
// one line, then one indented line per problem naming the key path, and nothing started (no
// control socket appears). Every class of mistake is checked in-process by
// test/config/load-errors.test.ts; this runs one real .ts config end to end.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { controlSocketPath } from '../../src/control/paths.js';
import { makeProject, removeProject, runCli, uniqueName } from '../helpers/cli.js';

const projects: string[] = [];

afterAll(() => projects.forEach(removeProject));

test('a sticky.config.ts with several problems → exit 2, each on its own line, nothing started', async () => {
  const name = uniqueName('bad');
  const dir = makeProject('config-errors', {
    'server.js': 'module.exports = () => require("node:http").createServer();\n',
    'sticky.config.ts': `export default { name: '${name}', scrpt: './server.js', port: -1, routing: { by: 'proxy', seed: 'x' }, log: 'info' };\n`,
  });
  projects.push(dir);
  // A cold process compiling TypeScript: the one slow case, bounded generously.
  const result = await runCli(['start', '--config', 'sticky.config.ts'], { cwd: dir, timeoutMs: 30_000 });
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe([
    `sticky: ${path.join(dir, 'sticky.config.ts')}: 5 problems`,
    '  scrpt: unknown key (did you mean "script"?)',
    '  port: -1 is not an integer from 0 to 65535',
    '  routing.by: "proxy" is not one of ip, header, proxy-protocol',
    '  routing.seed: "x" is not an integer from 0 to 4294967295',
    '  log: "info" is not an object with keys level',
    '',
  ].join('\n'));
  expect(existsSync(controlSocketPath(name))).toBe(false);
});

test('a wrong flag → exit 2 with a suggestion', async () => {
  const result = await runCli(['start', '--confg', 'x']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('sticky start: unknown option --confg (did you mean --config?)');
});
