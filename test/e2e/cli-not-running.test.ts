// reload, stop and status when no instance runs: exit 1 and one clear line naming the
// instance, found by --name, --config or discovery.
import { afterAll, expect, test } from 'vitest';
import { controlSocketPath } from '../../src/control/paths.js';
import { makeProject, removeProject, runCli, uniqueName } from '../helpers/cli.js';

const name = uniqueName('idle');
const SERVER = 'module.exports = () => require("node:http").createServer();\n';
// JSON for most cases: each command is a fresh process, and compiling a .ts config in each
// costs seconds; one case below reads the name from a real sticky.config.ts.
const dir = makeProject('not-running', {
  'server.js': SERVER,
  'sticky.config.json': JSON.stringify({ name, script: './server.js' }),
});
const tsDir = makeProject('not-running', {
  'server.js': SERVER,
  'sticky.config.ts': `export default { name: '${name}', script: './server.js' };\n`,
});
afterAll(() => [dir, tsDir].forEach(removeProject));

const expected = `sticky: no sticky instance "${name}" is running (no control socket: ${controlSocketPath(name)})\n`;

test.each([
  ['status --json --name', ['status', '--json', '--name', name]],
  ['status --json (discovered config)', ['status', '--json']],
  ['status --json --config', ['status', '--json', '--config', 'sticky.config.json']],
  ['status --watch', ['status', '--watch']],
  ['status', ['status']],
  ['reload', ['reload']],
  ['stop', ['stop', '-n', name]],
])('%s → exit 1, one line', async (_, args) => {
  const result = await runCli(args, { cwd: dir });
  expect(result).toMatchObject({ code: 1, stdout: '', stderr: expected });
});

test('the name comes from a sticky.config.ts', async () => {
  const result = await runCli(['status', '--json', '--config', 'sticky.config.ts'], { cwd: tsDir, timeoutMs: 30_000 });
  expect(result).toMatchObject({ code: 1, stdout: '', stderr: expected });
});

test('the name comes from the config even when the rest of it is wrong', async () => {
  const broken = makeProject('not-running', { 'sticky.config.json': JSON.stringify({ name, port: 'x' }) });
  try {
    const result = await runCli(['stop'], { cwd: broken });
    expect(result).toMatchObject({ code: 1, stderr: expected });
  } finally {
    removeProject(broken);
  }
});

test('without a name in the config, the config folder names the instance', async () => {
  const plain = makeProject('not-running', { 'sticky.config.json': '{ "script": "./server.js" }' });
  try {
    const result = await runCli(['status', '--json'], { cwd: plain });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no sticky instance "${plain.split('/').pop()}" is running`);
  } finally {
    removeProject(plain);
  }
});
