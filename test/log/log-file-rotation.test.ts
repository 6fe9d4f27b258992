// log.file: the same NDJSON records as stdout, rolled at log.maxSize into numbered files,
// only log.keep of them kept (pino-roll in a worker thread of the primary).
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { makeProject, removeProject, uniqueName } from '../helpers/cli.js';
import { runInstance, type Instance } from '../helpers/sticky-instance.js';
import { waitFor } from '../helpers/wait-for.js';

const name = uniqueName('roll');
const dir = makeProject('log-file', {
  'sticky.config.json': JSON.stringify({
    name, script: './app.js', port: 0, host: '127.0.0.1', workers: 2, log: { file: 'logs/app.log', maxSize: '2K', keep: 3 },
  }),
});
copyFileSync(path.join(__dirname, '../fixtures/logs/chatty-app.js'), path.join(dir, 'app.js'));
let instance: Instance | undefined;

afterAll(async () => {
  await instance?.cleanUp();
  removeProject(dir);
});

const logDir = path.join(dir, 'logs');
const numbered = (): number[] => readdirSync(logDir)
  .map((f) => /^app\.(\d+)\.log$/.exec(f)?.[1])
  .filter((n): n is string => n !== undefined)
  .map(Number)
  .sort((a, b) => a - b);

test('log.file rolls at maxSize and keeps `keep` files, each line a stdout record', async () => {
  instance = await runInstance({ dir, workers: 2 });
  // A record per request, ~250 bytes: a roll every ten or so.
  for (let round = 0; round < 6; round++) {
    for (const address of loopbackAddresses(10, 30)) await get(instance.port, address, { path: `/r${round}` });
  }
  const files = await waitFor(() => {
    const n = numbered();
    // Old files are removed just after each roll: wait until that has caught up.
    return n.length === 3 && n[0]! >= 3 ? n : undefined;
  }, 20_000, `three files kept after several rolls (have ${numbered().join(', ')})`);
  expect(files[2]! - files[0]!).toBe(2);

  await instance.stop();
  const stdout = new Set(instance.primary.lines);
  for (const n of numbered()) {
    const content = readFileSync(path.join(logDir, `app.${n}.log`), 'utf8');
    const lines = content.split('\n');
    expect(lines.pop()).toBe('');
    // A file holds whole records, each one stdout had too.
    for (const line of lines) {
      expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(stdout.has(line)).toBe(true);
    }
  }
  const last = readFileSync(path.join(logDir, `app.${numbered().at(-1)!}.log`), 'utf8');
  expect(last).toContain('"kind":"stopped"');
}, 120_000);
