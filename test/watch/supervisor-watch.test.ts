import { mkdirSync, mkdtempSync, unlinkSync, watch, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SupervisorEvent } from '../../src/control/protocol.js';
import { killAll } from '../helpers/processes.js';
import { ensureArtifacts, startSupervisor } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

describe('watch', () => {
  afterAll(killAll);

  it('makes ten quick writes one reload, and ignores node_modules, dotfiles, cosmiconfig temp files and watch.ignored', async () => {
    const dir = mkdtempSync(join(ensureArtifacts(), 'watch-'));
    mkdirSync(join(dir, 'node_modules'));
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, 'app.js'), '// 0\n');
    const sup = await startSupervisor({ watch: { paths: [dir], debounceMs: 400, ignored: ['*.tmp'] } });
    const control = await sup.control();
    await control.request('subscribe');
    const logs = (kind: string): SupervisorEvent[] => control.events
      .filter((e) => e.event === 'log' && (e.data as SupervisorEvent).kind === kind)
      .map((e) => e.data as SupervisorEvent);

    // Ten separate saves: each write waits for the kernel to report the previous one, so the
    // supervisor's watcher sees ten changes in a row (within its debounce), not one.
    const saves = watch(join(dir, 'app.js'));
    try {
      for (let i = 1; i <= 10; i++) {
        const reported = once(saves, 'change');
        writeFileSync(join(dir, 'app.js'), `// ${i}\n`);
        await reported;
      }
    } finally {
      saves.close();
    }
    await waitFor(() => logs('reload-done').length === 1, 20_000, 'the reload');

    // None of these may reload; then one real change must, alone.
    writeFileSync(join(dir, 'node_modules', 'dep.js'), 'x');
    writeFileSync(join(dir, '.env'), 'A=1');
    writeFileSync(join(dir, '.git', 'HEAD'), 'ref');
    writeFileSync(join(dir, 'build.tmp'), 'x');
    const temp = join(dir, 'sticky.config.ts.2f1c9a3e-8b7d-4c6e-9f0a-1b2c3d4e5f60.mjs');
    writeFileSync(temp, 'export default {}');
    unlinkSync(temp);
    writeFileSync(join(dir, 'marker.js'), 'x');
    await waitFor(() => logs('reload-done').length === 2, 20_000, 'the second reload');

    // Paths are shown relative to the config's folder (here the cwd).
    const rel = relative(sup.config.cwd, dir);
    expect(logs('watch').map((e) => e.message)).toEqual([`1 file(s) changed (${join(rel, 'app.js')})`, `1 file(s) changed (${join(rel, 'marker.js')})`]);
    expect(logs('reload').map((e) => e.message.split(':')[0])).toEqual(['reload (watch)', 'reload (watch)']);
    control.close();
  });
});
