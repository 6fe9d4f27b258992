// Regression: the config check and the balancer's routing check used to disagree. Every
// entry point now fails on the same values with the same line: the config file (with its
// name), start(config), the BalancerServer that sticky(options) builds, and the original
// API's own options.
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import sticky from '../../src/index.js';
import { loadConfig } from '../../src/config/load.js';
import { validateConfig } from '../../src/config/schema.js';
import { BalancerServer } from '../../src/balancer/primary.js';
import { parseLegacyArgs } from '../../src/legacy/options.js';
import { StickyConfigError } from '../../src/errors.js';
import type { RoutingConfig } from '../../src/config/types.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function caught(f: () => unknown): StickyConfigError {
  try {
    f();
  } catch (error) {
    if (error instanceof StickyConfigError) return error;
    throw error;
  }
  throw new Error('expected a StickyConfigError');
}

async function caughtAsync(f: () => Promise<unknown>): Promise<StickyConfigError> {
  try {
    await f();
  } catch (error) {
    if (error instanceof StickyConfigError) return error;
    throw error;
  }
  throw new Error('expected a StickyConfigError');
}

/** Writes `config` as sticky.config.json (beside a server.js) and loads it as `sticky start` does. */
async function loadFile(config: object): Promise<StickyConfigError> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sticky-schema-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'server.js'), 'module.exports = () => require("node:http").createServer();\n');
  writeFileSync(path.join(dir, 'sticky.config.json'), JSON.stringify({ script: './server.js', ...config }));
  return caughtAsync(() => loadConfig({ cwd: dir }));
}

// Each passed the config check and then threw from the balancer, or the other way round.
const disagreements: { routing: RoutingConfig; line: string }[] = [
  { routing: { by: 'header', trustedHops: 100 }, line: 'routing.trustedHops: 100 is not an integer from 1 to 64' },
  { routing: { by: 'header', headerTimeoutMs: 7.2e6 }, line: 'routing.headerTimeoutMs: 7200000 is not an integer from 1 to 3600000' },
  { routing: { by: 'ip', maxPending: 5e6 }, line: 'routing.maxPending: 5000000 is not an integer from 1 to 1000000' },
  { routing: { by: 'header', maxHeaderBytes: 512 }, line: 'routing.maxHeaderBytes: 512 is not an integer from 1024 to 1048576' },
];

describe.each(disagreements)('$line', ({ routing, line }) => {
  test('the config file fails with this line and its file name', async () => {
    const error = await loadFile({ routing });
    expect(error.problems).toEqual([line]);
    expect(error.file).toMatch(/sticky\.config\.json$/);
    expect(error.message).toMatch(/^invalid config .*sticky\.config\.json:\n/);
  });

  test('start(config) fails with this line before starting anything', async () => {
    const error = await caughtAsync(() => sticky.start({ script: 'package.json', routing }));
    expect(error.problems).toEqual([line]);
  });

  test('the balancer that sticky(options) builds fails with the same line', () => {
    expect(caught(() => new BalancerServer({ workers: 1, routing })).problems).toEqual([line]);
  });

  test('the same line from validateConfig', () => {
    expect(validateConfig({ script: 'x', routing })).toEqual([line]);
  });
});

test('values inside every range pass every entry point', async () => {
  const routing: RoutingConfig = { by: 'header', trustedHops: 64, headerTimeoutMs: 3_600_000, maxPending: 1_000_000, maxHeaderBytes: 1024 };
  expect(validateConfig({ script: 'x', routing })).toEqual([]);
  expect(new BalancerServer({ workers: 1, routing }).routing).toMatchObject(routing);
});

describe('the original API maps its options onto the same schema', () => {
  const server = http.createServer();

  test('the worker limit is the config\'s (sticky(num), { num }, listen({ workers }))', () => {
    expect(validateConfig({ script: 'x', workers: 1025 })).toEqual(['workers: 1025 is not "auto" or an integer from 1 to 1024']);
    expect(caught(() => sticky(1025, server)).problems).toEqual(['num: 1025 is not an integer from 1 to 1024']);
    expect(caught(() => sticky({ num: 0 }, server)).problems).toEqual(['num: 0 is not an integer from 1 to 1024']);
    expect(caught(() => sticky.listen(server, 0, { workers: 5000 })).problems).toEqual(['workers: 5000 is not an integer from 1 to 1024']);
    expect(parseLegacyArgs({ num: 1024 }, server).num).toBe(1024);
  });

  test('the header name is the config\'s, checked before the balancer is built', () => {
    const line = (key: string) => `${key}: "x real ip" is not an HTTP header name`;
    expect(validateConfig({ script: 'x', routing: { by: 'header', header: 'x real ip' } })).toEqual([line('routing.header')]);
    expect(caught(() => sticky({ proxy: true, header: 'x real ip' }, server)).problems).toEqual([line('header')]);
    expect(parseLegacyArgs({ proxy: true, header: ' X-Real-IP ' }, server).routing?.header).toBe('X-Real-IP');
  });

  test('every problem of the options at once', () => {
    expect(caught(() => sticky({ num: 2000, proxy: true, header: 'a:b' }, server)).problems).toEqual([
      'num: 2000 is not an integer from 1 to 1024',
      'header: "a:b" is not an HTTP header name',
    ]);
  });
});
