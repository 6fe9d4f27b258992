// Regression (issue 13, finding 4): a worker that exhausts its V8 heap (--max-old-space-size)
// aborts with SIGABRT, and the log said "killed by SIGABRT". Node's fatal-error report,
// armed by the worker entry, lets the primary say "ran out of memory".
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll } from '../helpers/processes.js';
import { startSupervisor, writeScript } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

describe('a worker that runs out of heap', () => {
  afterAll(killAll);

  it('is reported as out of memory, not as killed by SIGABRT, and restarted', async () => {
    // GET /oom keeps allocating objects until V8 gives up.
    const script = writeScript('oom.js', `
      const http = require('node:http');
      const kept = [];
      module.exports = () => http.createServer((req, res) => {
        if (req.url !== '/oom') return res.end(String(process.pid));
        setInterval(() => { for (let i = 0; i < 100000; i++) kept.push({ i, s: 'x' + i }); }, 1);
      });
    `);
    const sup = await startSupervisor({ script, workers: 1, execArgv: ['--max-old-space-size=48'] });
    const first = (await sup.status()).workers[0]!;
    const fatalDirs = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith('sticky-fatal-'));
    http.get({ host: '127.0.0.1', port: sup.port, path: '/oom', agent: false }).on('error', () => undefined);

    const status = await waitFor(async () => {
      const s = await sup.status();
      return s.events!.some((e) => e.kind === 'worker-online' && e.pid !== first.pid) ? s : undefined;
    }, 60_000, 'the worker to die of its heap and a new one online');
    const death = status.events!.find((e) => e.kind === 'worker-crash' && e.pid === first.pid);
    expect(death?.message).toMatch(new RegExp(
      `^worker ${first.pid} \\(slot 0\\) ran out of memory \\((Reached heap limit )?Allocation failed - JavaScript heap out of memory\\): `
      + 'its JavaScript heap reached the limit \\(--max-old-space-size in execArgv sets it\\); restarting in 100 ms',
    ));
    expect(status.events!.map((e) => e.message).join('\n')).not.toContain('SIGABRT');
    // The report is read and removed; its folder goes when the supervisor stops.
    expect(fatalDirs().length).toBeGreaterThanOrEqual(1);
    for (const dir of fatalDirs()) {
      try {
        expect(readdirSync(`${tmpdir()}/${dir}`).filter((f) => f.includes(String(first.pid)))).toEqual([]);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'EACCES') throw err;
      }
    }
  }, 90_000);
});
