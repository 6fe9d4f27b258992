import { afterAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { descendants, isAlive, killAll, startNode } from '../helpers/processes.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';

// The three tests shipped in sticky-session 1.1.2's test/ folder, run unchanged against our
// package but for the require path and a free port instead of the fixed 13845.
const DIR = resolve(__dirname, '../fixtures/sticky-session-1.1.2');

describe('sticky-session 1.1.2 tests against our sticky.listen()', () => {
  afterAll(killAll);

  for (const name of ['100-connections-test', 'fork-options-test', 'graceful-close-test']) {
    it(`${name} passes and leaves no worker behind`, async () => {
      const run = startNode(resolve(DIR, `${name}.js`), [], { env: { PORT: String(await freePort()) } });
      const timeout = setTimeout(() => void run.kill(), 20_000);
      // Every process the test's primary forked, as seen while it ran.
      const workers = new Set<number>();
      const poll = setInterval(() => {
        for (const pid of descendants(run.pid)) workers.add(pid);
      }, 20);
      const result = await run.exited;
      clearTimeout(timeout);
      clearInterval(poll);
      expect([result, run.stderr.join('')]).toEqual([{ code: 0, signal: null }, '']);
      expect(workers.size, 'workers seen while the test ran').toBeGreaterThan(0);
      await waitFor(() => [...workers].every((pid) => !isAlive(pid)), 5000, 'workers to exit with their primary');
    });
  }
});
