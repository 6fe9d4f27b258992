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

test('a sticky.config.ts with values the balancer used to refuse later → exit 2, one line each, naming the file, nothing started', async () => {
  const name = uniqueName('bad');
  const dir = makeProject('config-errors', {
    'server.js': 'module.exports = () => require("node:http").createServer();\n',
    'sticky.config.ts': `export default {
  name: ${JSON.stringify(name)},
  script: './server.js',
  routing: { by: 'header' as const, trustedHops: 100, headerTimeoutMs: 7.2e6, maxPending: 5e6, maxHeaderBytes: 512 },
};
`,
  });
  projects.push(dir);
  // A cold process compiling TypeScript: the one slow case, bounded generously.
  const result = await runCli(['start', '--config', 'sticky.config.ts'], { cwd: dir, timeoutMs: 30_000 });
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe([
    `sticky: ${path.join(dir, 'sticky.config.ts')}: 4 problems`,
    '  routing.trustedHops: 100 is not an integer from 1 to 64',
    '  routing.headerTimeoutMs: 7200000 is not an integer from 1 to 3600000',
    '  routing.maxPending: 5000000 is not an integer from 1 to 1000000',
    '  routing.maxHeaderBytes: 512 is not an integer from 1024 to 1048576',
    '',
  ].join('\n'));
  expect(existsSync(controlSocketPath(name))).toBe(false);
});

test('a wrong flag → exit 2 with a suggestion', async () => {
  const result = await runCli(['start', '--confg', 'x']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('sticky start: unknown option --confg (did you mean --config?)');
});
