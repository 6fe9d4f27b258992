// `sticky start` in header or PROXY mode without routing.trustedProxies believes every peer:
// it says so once, naming the option; with the option set it says nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { startInstance, type Instance } from '../helpers/sticky-instance.js';
import { APP } from '../helpers/supervisor.js';

let instance: Instance | undefined;
afterEach(async () => {
  await instance?.cleanUp();
  instance = undefined;
});

const warnings = (lines: string[]): string[] => lines.filter((l) => l.includes('routing.trustedProxies'));

describe('sticky start without routing.trustedProxies', () => {
  it.each([['header'], ['proxy-protocol']])('warns once in %s mode, naming the option', async (by) => {
    instance = await startInstance({ script: APP, routing: { by } }, 1);
    await instance.primary.line(/"kind":"ready"/);
    const found = warnings(instance.primary.lines);
    expect(found).toHaveLength(1);
    expect(JSON.parse(found[0]!)).toMatchObject({ level: 40, kind: 'trust' });
  });

  it('says nothing when the option is set, or in ip mode', async () => {
    instance = await startInstance({ script: APP, routing: { by: 'proxy-protocol', trustedProxies: ['127.0.0.1'] } }, 1);
    await instance.primary.line(/"kind":"ready"/);
    expect(warnings(instance.primary.lines)).toEqual([]);
    await instance.cleanUp();
    instance = await startInstance({ script: APP }, 1);
    await instance.primary.line(/"kind":"ready"/);
    expect(warnings(instance.primary.lines)).toEqual([]);
  });
});
