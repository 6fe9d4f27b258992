import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { APP, onlinePids, startSupervisor, writeScript } from '../helpers/supervisor.js';

describe('a reload with a syntax error in the script', () => {
  afterAll(killAll);

  it('fails with the error, keeps the old workers online and serving, and works once the file is fixed', async () => {
    const good = `module.exports = require(${JSON.stringify(APP)});\n`;
    const script = writeScript('app.js', good);
    const sup = await startSupervisor({ script });
    const before = onlinePids(await sup.status());
    expect(before).toHaveLength(2);

    writeFileSync(script, `${good}function broken( {\n`);
    const failed = await sup.reload();
    expect(failed.reply.ok).toBe(false);
    const error = (failed.reply as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('STICKY_RELOAD');
    expect(error.message).toContain('SyntaxError');
    expect(error.message).toContain(script);
    expect(error.message).toMatch(/exited with code 1/);
    expect(error.message).toContain(`worker ${before[0]} keeps serving slot 0`);
    // Slot 1 was never touched.
    expect(failed.progress.map((p) => (p as { slot: number; phase: string }).slot)).not.toContain(1);

    const during = await sup.status();
    expect(onlinePids(during)).toEqual(before);
    expect(during.workers.filter((w) => w.state !== 'online')).toEqual([]);
    for (const addr of loopbackAddresses(10)) expect(before).toContain((await get(sup.port, addr)).pid);

    writeFileSync(script, good);
    const fixed = await sup.reload();
    expect(fixed.reply).toMatchObject({ ok: true });
    const after = onlinePids(await sup.status());
    expect(after).toHaveLength(2);
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
    for (const addr of loopbackAddresses(10)) expect(after).toContain((await get(sup.port, addr)).pid);
  });
});
