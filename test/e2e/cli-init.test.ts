// `sticky init` writes the template, refuses to overwrite without --force.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ROOT, makeProject, removeProject, runCli } from '../helpers/cli.js';

const projects: string[] = [];
afterAll(() => projects.forEach(removeProject));

function emptyProject(): string {
  const dir = makeProject('init');
  projects.push(dir);
  return dir;
}

test('writes sticky.config.ts and the starter server, byte for byte from templates/default', async () => {
  const dir = emptyProject();
  const result = await runCli(['init'], { cwd: dir });
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('wrote server.js, sticky.config.ts (template "default")');
  expect(readdirSync(dir).sort()).toEqual(['server.js', 'sticky.config.ts']);
  for (const file of ['server.js', 'sticky.config.ts']) {
    expect(readFileSync(path.join(dir, file), 'utf8')).toBe(readFileSync(path.join(ROOT, 'templates', 'default', file), 'utf8'));
  }
});

test('what it writes is a valid config: sticky status finds the instance by the folder\'s name', async () => {
  const dir = emptyProject();
  await runCli(['init'], { cwd: dir });
  const result = await runCli(['status', '--json'], { cwd: dir });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`no sticky instance "${path.basename(dir)}" is running`);
});

test('refuses to overwrite, writing nothing, and names the files; --force overwrites', async () => {
  const dir = emptyProject();
  writeFileSync(path.join(dir, 'sticky.config.ts'), 'mine');
  const refused = await runCli(['init'], { cwd: dir });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toBe('sticky: sticky.config.ts already exists here; nothing written (--force overwrites)\n');
  expect(readdirSync(dir)).toEqual(['sticky.config.ts']);
  expect(readFileSync(path.join(dir, 'sticky.config.ts'), 'utf8')).toBe('mine');

  const forced = await runCli(['init', '--force'], { cwd: dir });
  expect(forced.code).toBe(0);
  expect(readFileSync(path.join(dir, 'sticky.config.ts'), 'utf8')).toContain('defineConfig');
});

test('an unknown template is a usage error listing the templates', async () => {
  const dir = emptyProject();
  const result = await runCli(['init', '--template', 'defualt'], { cwd: dir });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('sticky init: no template "defualt" (did you mean "default"?); templates: chat, default');
  expect(readdirSync(dir)).toEqual([]);
});
