import { describe, expect, it } from 'vitest';
import { reloadableConfig, restartOnlyChanges } from '../../src/supervisor/config-diff.js';
import { testConfig } from '../helpers/supervisor.js';

describe('restartOnlyChanges / reloadableConfig', () => {
  const running = testConfig({ name: 'chat', port: 3000 });

  it('reports nothing for an identical config or for reloadable changes', () => {
    expect(restartOnlyChanges(running, { ...running })).toEqual([]);
    expect(restartOnlyChanges(running, { ...running, env: { A: '1' }, script: '/other.js', reload: { readyTimeoutMs: 1, drainTimeoutMs: 2 } })).toEqual([]);
  });

  it('names each restart-only key with both values', () => {
    const next = { ...running, port: 3001, workers: 4, routing: { ...running.routing, seed: 9 } };
    const lines = restartOnlyChanges(running, next);
    expect(lines).toEqual([
      'port: 3000 -> 3001 needs a restart (sticky stop, then sticky start); not applied',
      expect.stringMatching(/^routing: \{"by":"ip","seed":0,.*\} -> \{"by":"ip","seed":9,.*\} needs a restart/),
      'workers: 2 -> 4 is not applied by a reload; sticky scale 4 changes it live',
    ]);
  });

  it('keeps the running values of restart-only keys and takes the rest from the new config', () => {
    const next = { ...running, port: 3001, env: { A: '1' } };
    expect(reloadableConfig(running, next)).toEqual({ ...running, env: { A: '1' } });
  });
});
