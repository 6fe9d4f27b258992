import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { get } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { onlinePids, startSupervisor } from '../helpers/supervisor.js';

/** The supervisor fixture app also echoes APP_TAG from its env. */
async function tagOf(port: number): Promise<string | undefined> {
  return ((await get(port, '127.0.0.2')) as { tag?: string }).tag;
}

describe('reload re-reads the config', () => {
  afterAll(killAll);

  it('applies what it can (env) and reports what needs a restart (port, routing) without applying it', async () => {
    const sup = await startSupervisor({ env: { APP_TAG: 'one' } });
    expect(await tagOf(sup.port)).toBe('one');
    sup.writeConfig({ env: { APP_TAG: 'two' }, port: sup.port + 1, routing: { ...sup.config.routing, seed: 7 } });

    const { reply } = await sup.reload();
    expect(reply.ok).toBe(true);
    const { restartNeeded } = (reply as { result: { restartNeeded: string[] } }).result;
    expect(restartNeeded).toHaveLength(2);
    // The running config said port 0 (any free port).
    expect(restartNeeded[0]).toMatch(new RegExp(`^port: 0 -> ${sup.port + 1} needs a restart`));
    expect(restartNeeded[1]).toMatch(/^routing: .*"seed":0.* -> .*"seed":7.* needs a restart/);

    const status = await sup.status();
    expect(status.port).toBe(sup.port);
    expect(status.events!.filter((e) => e.kind === 'restart-needed')).toHaveLength(2);
    expect(await tagOf(sup.port)).toBe('two');
  });

  it('fails the reload and changes nothing when the config cannot be read', async () => {
    const sup = await startSupervisor();
    const before = onlinePids(await sup.status());
    writeFileSync(sup.configPath, '{ "name": ');
    const { reply } = await sup.reload();
    expect(reply).toMatchObject({ ok: false, error: { code: 'STICKY_RELOAD', message: expect.stringMatching(/^cannot read the config: .*JSON/) } });
    expect(onlinePids(await sup.status())).toEqual(before);
  });
});
