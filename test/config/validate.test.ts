import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { closest, editDistance } from '../../src/config/suggest.js';
import { validateConfig } from '../../src/config/schema.js';
import { StickyConfigError } from '../../src/errors.js';

describe('validateConfig', () => {
  test('a minimal and a full config are valid', () => {
    expect(validateConfig({ script: 'x' })).toEqual([]);
    expect(validateConfig({
      name: 'chat', script: 'x', cwd: '.', port: 0, host: '::', workers: 'auto',
      routing: { by: 'header', header: 'x-forwarded-for', trustedHops: 2, ignoreMissingHeader: true, headerTimeoutMs: 5, maxHeaderBytes: 2048, seed: 1, ipv4Prefix: 24, ipv6Prefix: 64, maxPending: 10 },
      broadcast: 'cluster', env: { A: '' }, execArgv: ['--enable-source-maps'], args: [],
      reload: { readyTimeoutMs: 1, drainTimeoutMs: 0 }, restart: { minUptimeMs: 0, maxBackoffMs: 100 },
      watch: { paths: ['dist'], debounceMs: 0, ignored: ['*.map'] }, log: { level: 'silent' },
    })).toEqual([]);
  });

  test('undefined counts as absent, as in TypeScript optional properties', () => {
    expect(validateConfig({ script: 'x', port: undefined, routing: { by: 'ip', seed: undefined } })).toEqual([]);
  });

  test('routing.by defaults to ip', () => {
    expect(validateConfig({ script: 'x', routing: { seed: 3 } })).toEqual([]);
    expect(validateConfig({ script: 'x', routing: { header: 'x-real-ip' } })).toEqual([
      'routing.header: only allowed when routing.by is "header" (it is "ip")',
    ]);
  });

  test('with an unknown routing mode only `by` is reported, not the other mode\'s keys', () => {
    expect(validateConfig({ script: 'x', routing: { by: 'heder', trustedHops: 2 } })).toEqual([
      'routing.by: "heder" is not one of ip, header, proxy-protocol (did you mean "header"?)',
    ]);
  });

  test('a misspelt required key is reported once, as a typo', () => {
    expect(validateConfig({ scirpt: 'x' })).toEqual(['scirpt: unknown key (did you mean "script"?)']);
  });

  test('keys that are not identifiers are quoted in the path', () => {
    expect(validateConfig({ script: 'x', env: { 'MY VAR': 1 } })).toEqual(['env["MY VAR"]: 1 is not a string']);
  });

  test('values are shown as written, long ones shortened', () => {
    const [line] = validateConfig({ script: 'x', host: 'a '.repeat(100) });
    expect(line).toMatch(/^host: "a a a .*\.\.\. is not a host name or address$/);
    expect(validateConfig({ script: 'x', port: Number.NaN })).toEqual(['port: NaN is not an integer from 0 to 65535']);
    expect(validateConfig({ script: 'x', port: () => 1 })).toEqual(['port: a function is not an integer from 0 to 65535']);
  });

  test('the config itself must be an object', () => {
    for (const value of [null, 42, 'x', [], undefined]) {
      expect(validateConfig(value)[0]).toMatch(/^config: .* is not an object/);
    }
  });
});

describe('resolveConfig', () => {
  test('throws StickyConfigError with every problem and the file', () => {
    let error: unknown;
    try {
      resolveConfig({ port: 'x', workers: -1 }, { configFile: '/nowhere/sticky.config.ts' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StickyConfigError);
    const { problems, file, code, message } = error as StickyConfigError;
    expect(code).toBe('STICKY_CONFIG');
    expect(file).toBe('/nowhere/sticky.config.ts');
    expect(problems).toEqual([
      'port: "x" is not an integer from 0 to 65535',
      'workers: -1 is not "auto" or an integer from 1 to 1024',
      'script: missing; set it to the worker entry, e.g. "./server.js"',
    ]);
    expect(message).toBe(`invalid config /nowhere/sticky.config.ts:\n${problems.join('\n')}`);
  });

  test('without a file, paths resolve against baseDir', () => {
    const config = resolveConfig({ script: 'package.json', name: 'x' }, { baseDir: __dirname + '/../..' });
    expect(config.script.endsWith('/package.json')).toBe(true);
    expect(config.configFile).toBeUndefined();
  });
});

describe('did you mean', () => {
  test('edit distance counts a swap of neighbours as one edit', () => {
    expect(editDistance('header', 'header')).toBe(0);
    expect(editDistance('hedaer', 'header')).toBe(1);
    expect(editDistance('routin', 'routing')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  test('suggests close words only', () => {
    expect(closest('prot', ['port', 'host'])).toBe('port');
    expect(closest('READYTIMEOUTMS', ['readyTimeoutMs'])).toBe('readyTimeoutMs');
    expect(closest('foo', ['log', 'env'])).toBeUndefined();
    expect(closest('x', [])).toBeUndefined();
  });
});
