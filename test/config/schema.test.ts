// The schema's ranges, the second-phase keys (validation and defaults) and the hints for
// PM2 ecosystem keys. Messages: one line per problem naming the key, the value and what is allowed.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { DEFAULTS, isAddressOrCidr, parseSize, validateConfig } from '../../src/config/schema.js';
import { MAX_TIMER_MS } from '../../src/config/checks.js';

const BASE = path.resolve(__dirname, '../..');
const resolve = (config: object) => resolveConfig({ script: 'package.json', ...config }, { baseDir: BASE });

/** Sets `value` at the dotted key path of an otherwise minimal config. */
function configWith(key: string, value: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const [head, leaf] = key.split('.') as [string, string | undefined];
  return { script: 'x', ...(leaf === undefined ? { [head]: value } : { [head]: { ...(extra[head] as object), [leaf]: value } }) };
}

describe('timers: no *Ms key takes more than setTimeout can wait (2^31-1 ms)', () => {
  const keys: [key: string, min: number, extra?: Record<string, unknown>][] = [
    ['reload.readyTimeoutMs', 1],
    ['reload.drainTimeoutMs', 0],
    ['reload.killTimeoutMs', 0],
    ['restart.minUptimeMs', 0],
    ['restart.maxBackoffMs', 100],
    ['health.heartbeatMs', 10, { health: { timeoutMs: MAX_TIMER_MS } }],
    ['health.timeoutMs', 1, { health: { heartbeatMs: 10 } }],
    ['health.handoffTimeoutMs', 1],
    ['watch.debounceMs', 0, { watch: { paths: ['.'] } }],
  ];

  test.each(keys)('%s', (key, min, extra = {}) => {
    const allowed = `an integer from ${min} to 2147483647`;
    expect(validateConfig(configWith(key, 2 ** 31, extra))).toEqual([`${key}: 2147483648 is not ${allowed}`]);
    expect(validateConfig(configWith(key, 7.2e12, extra))).toEqual([`${key}: 7200000000000 is not ${allowed}`]);
    expect(validateConfig(configWith(key, min - 1, extra))).toEqual([`${key}: ${min - 1} is not ${allowed}`]);
    // health.heartbeatMs at the limit leaves timeoutMs nothing above it: checked separately.
    if (key !== 'health.heartbeatMs') expect(validateConfig(configWith(key, MAX_TIMER_MS, extra))).toEqual([]);
  });

  test('routing.headerTimeoutMs stops at an hour', () => {
    expect(validateConfig({ script: 'x', routing: { by: 'header', headerTimeoutMs: 2 ** 31 } }))
      .toEqual(['routing.headerTimeoutMs: 2147483648 is not an integer from 1 to 3600000']);
  });
});

describe('routing.accept (ip mode)', () => {
  test('defaults to auto and takes kernel or primary', () => {
    expect(resolve({}).routing).toEqual({ by: 'ip', accept: 'auto', seed: 0, maxPending: 10_000 });
    expect(resolve({ routing: { by: 'ip', accept: 'kernel' } }).routing).toMatchObject({ accept: 'kernel' });
    expect(resolve({ routing: { accept: 'primary' } }).routing).toMatchObject({ by: 'ip', accept: 'primary' });
  });

  test('refuses other values, and in the modes where the primary reads first', () => {
    expect(validateConfig({ script: 'x', routing: { accept: 'kernal' } }))
      .toEqual(['routing.accept: "kernal" is not one of auto, kernel, primary (did you mean "kernel"?)']);
    expect(validateConfig({ script: 'x', routing: { by: 'header', accept: 'kernel' } }))
      .toEqual(['routing.accept: only allowed when routing.by is "ip" (it is "header")']);
  });
});

describe('routing.trustedProxies (header and proxy-protocol modes)', () => {
  test('takes addresses and CIDR blocks of both families; unset stays unset', () => {
    const trustedProxies = ['10.0.0.0/8', '192.168.1.7', '::1', 'fd00::/8', '::ffff:10.0.0.1'];
    expect(resolve({ routing: { by: 'proxy-protocol', trustedProxies } }).routing).toEqual({
      by: 'proxy-protocol', seed: 0, maxPending: 10_000, trustedProxies,
    });
    expect(resolve({ routing: { by: 'header', trustedProxies } }).routing).toMatchObject({ trustedProxies });
    expect(resolve({ routing: { by: 'header' } }).routing).not.toHaveProperty('trustedProxies');
  });

  test('refuses what is not an address or block, an empty list and ip mode', () => {
    expect(validateConfig({ script: 'x', routing: { by: 'header', trustedProxies: ['10.0.0.0/33', 'proxy.local', 7] } })).toEqual([
      'routing.trustedProxies[0]: "10.0.0.0/33" is not an IP address or CIDR block (like "10.0.0.0/8", "::1")',
      'routing.trustedProxies[1]: "proxy.local" is not an IP address or CIDR block (like "10.0.0.0/8", "::1")',
      'routing.trustedProxies[2]: 7 is not an IP address or CIDR block (like "10.0.0.0/8", "::1")',
    ]);
    expect(validateConfig({ script: 'x', routing: { by: 'proxy-protocol', trustedProxies: [] } }))
      .toEqual(['routing.trustedProxies: [] is empty; list at least one']);
    expect(validateConfig({ script: 'x', routing: { by: 'header', trustedProxies: '10.0.0.1' } }))
      .toEqual(['routing.trustedProxies: "10.0.0.1" is not a list of addresses or CIDR blocks']);
    expect(validateConfig({ script: 'x', routing: { trustedProxies: ['10.0.0.1'] } }))
      .toEqual(['routing.trustedProxies: only allowed when routing.by is "header" or "proxy-protocol" (it is "ip")']);
  });

  test('isAddressOrCidr', () => {
    for (const ok of ['0.0.0.0/0', '127.0.0.1', '127.0.0.0/32', '::/0', '2001:db8::/128', '::1']) expect(isAddressOrCidr(ok)).toBe(true);
    for (const bad of ['', '/8', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', '::/129', '10.0.0/8', '10.0.0.0/1e1', 'localhost']) {
      expect(isAddressOrCidr(bad)).toBe(false);
    }
  });
});

describe('health', () => {
  test('defaults of DESIGN.md', () => {
    expect(resolve({}).health).toEqual({ heartbeatMs: 1_000, timeoutMs: 10_000, handoffTimeoutMs: 2_000 });
    expect(resolve({ health: { heartbeatMs: 500 } }).health).toEqual({ heartbeatMs: 500, timeoutMs: 10_000, handoffTimeoutMs: 2_000 });
  });

  test('timeoutMs must exceed heartbeatMs, its default included', () => {
    expect(validateConfig({ script: 'x', health: { heartbeatMs: 1_000, timeoutMs: 1_000 } })).toEqual([
      'health.timeoutMs: 1000 is not more than health.heartbeatMs (1000); every worker would be unresponsive between two heartbeats',
    ]);
    expect(validateConfig({ script: 'x', health: { heartbeatMs: 20_000 } })).toEqual([
      'health.timeoutMs: 10000 (the default) is not more than health.heartbeatMs (20000); every worker would be unresponsive between two heartbeats',
    ]);
  });

  test('unknown keys and wrong shapes', () => {
    expect(validateConfig({ script: 'x', health: { heartbeat: 5 } })).toEqual(['health.heartbeat: unknown key (did you mean "heartbeatMs"?)']);
    expect(validateConfig({ script: 'x', health: true })).toEqual([
      'health: true is not an object with keys heartbeatMs, timeoutMs, handoffTimeoutMs',
    ]);
  });
});

describe('reload.killTimeoutMs and restart.maxMemory', () => {
  test('defaults: 5 s to clean up, no memory limit', () => {
    const config = resolve({});
    expect(config.reload).toEqual({ readyTimeoutMs: 10_000, drainTimeoutMs: 30_000, killTimeoutMs: 5_000 });
    expect(config.restart).toEqual({ minUptimeMs: 1_000, maxBackoffMs: 15_000, maxMemory: undefined });
  });

  test('maxMemory in bytes or PM2\'s "512M" form, resolved to bytes', () => {
    expect(resolve({ restart: { maxMemory: '512M' } }).restart.maxMemory).toBe(512 * 1024 ** 2);
    expect(resolve({ restart: { maxMemory: '1.5g' } }).restart.maxMemory).toBe(1.5 * 1024 ** 3);
    expect(resolve({ restart: { maxMemory: '2048KB' } }).restart.maxMemory).toBe(2 * 1024 ** 2);
    expect(resolve({ restart: { maxMemory: 300_000_000 } }).restart.maxMemory).toBe(300_000_000);
    expect(parseSize('12 M')).toBe(12 * 1024 ** 2);
    expect(parseSize('12T')).toBeUndefined();
    expect(parseSize(1.5)).toBeUndefined();
  });

  test('maxMemory refuses sizes under 1M (a number meant in MB) and other forms', () => {
    for (const value of [512, '100K', '512X', 'M', -1, true, 1e300]) {
      expect(validateConfig({ script: 'x', restart: { maxMemory: value } })).toEqual([
        `restart.maxMemory: ${JSON.stringify(value)} is not a size of at least 1M (a number of bytes, or a string like "512M"; K, M, G)`,
      ]);
    }
  });
});

describe('log.file and metrics', () => {
  test('log.file resolves against the config folder; unset is no file', () => {
    expect(resolve({}).log).toEqual({ level: 'info', file: undefined, maxSize: 10 * 1024 * 1024, keep: 5 });
    expect(resolve({ log: { file: 'logs/app.log' } }).log.file).toBe(path.join(BASE, 'logs/app.log'));
    expect(validateConfig({ script: 'x', log: { file: '' } })).toEqual(['log.file: "" is not a non-empty string']);
  });

  test('log.maxSize and log.keep: a size in bytes or K/M/G, at least 1K; a count of files from 1', () => {
    expect(resolve({ log: { file: 'a.log', maxSize: '2K', keep: 3 } }).log).toMatchObject({ maxSize: 2048, keep: 3 });
    expect(resolve({ log: { maxSize: 5000 } }).log.maxSize).toBe(5000);
    expect(resolve({ log: { maxSize: '1.5M' } }).log.maxSize).toBe(1.5 * 1024 * 1024);
    expect(validateConfig({ script: 'x', log: { maxSize: '10' } })).toHaveLength(1);
    expect(validateConfig({ script: 'x', log: { maxSize: 100 } })).toEqual([
      'log.maxSize: 100 is not a size of at least 1K (a number of bytes, or a string like "10M"; K, M, G)',
    ]);
    expect(validateConfig({ script: 'x', log: { maxSize: '10 MB', keep: 0 } })).toHaveLength(1);
    expect(validateConfig({ script: 'x', log: { maxSize: 'ten', keep: 0 } })).toEqual([
      'log.maxSize: "ten" is not a size of at least 1K (a number of bytes, or a string like "10M"; K, M, G)',
      'log.keep: 0 is not an integer from 1 to 1000',
    ]);
    expect(validateConfig({ script: 'x', log: { keep: 2.5 } })).toHaveLength(1);
    expect(validateConfig({ script: 'x', log: { keep: '5' } })).toHaveLength(1);
  });

  test('metrics: off by default; on with a port, host default 127.0.0.1', () => {
    expect(resolve({}).metrics).toBe(false);
    expect(resolve({ metrics: false }).metrics).toBe(false);
    expect(resolve({ metrics: { port: 9090 } }).metrics).toEqual({ port: 9090, host: DEFAULTS.metrics.host });
    expect(resolve({ metrics: { port: 0, host: '::1' } }).metrics).toEqual({ port: 0, host: '::1' });
  });

  test('metrics: what is refused', () => {
    expect(validateConfig({ script: 'x', metrics: true })).toEqual(['metrics: true is not false or an object like { port: 9090 }']);
    expect(validateConfig({ script: 'x', metrics: {} })).toEqual(['metrics.port: missing; set the port Prometheus scrapes, e.g. 9090']);
    expect(validateConfig({ script: 'x', metrics: { port: 70_000, host: 'a b', path: '/m' } })).toEqual([
      'metrics.port: 70000 is not an integer from 0 to 65535',
      'metrics.host: "a b" is not a host name or address',
      'metrics.path: unknown key; allowed keys: port, host',
    ]);
  });

  test('metrics: a bare port, null, and ports and hosts of the wrong kind', () => {
    const refused = (metrics: unknown): string[] => validateConfig({ script: 'x', metrics });
    expect(refused(9090)).toEqual(['metrics: 9090 is not false or an object like { port: 9090 }']);
    expect(refused(null)).toEqual(['metrics: null is not false or an object like { port: 9090 }']);
    expect(refused([])).toEqual(['metrics: [] is not false or an object like { port: 9090 }']);
    expect(refused({ port: -1 })).toEqual(['metrics.port: -1 is not an integer from 0 to 65535']);
    expect(refused({ port: 1.5 })).toEqual(['metrics.port: 1.5 is not an integer from 0 to 65535']);
    expect(refused({ port: '9090' })).toEqual(['metrics.port: "9090" is not an integer from 0 to 65535']);
    expect(refused({ port: null })).toEqual(['metrics.port: null is not an integer from 0 to 65535']);
    expect(refused({ port: 9090, host: '' })).toEqual(['metrics.host: "" is not a non-empty string']);
    expect(refused({ port: 9090, host: 7 })).toEqual(['metrics.host: 7 is not a non-empty string']);
    expect(refused({ port: 9090, host: 'localhost' })).toEqual([]);
  });
});

describe('PM2 ecosystem keys', () => {
  test('an ecosystem file is recognised as one', () => {
    expect(validateConfig({ apps: [{ script: './server.js', instances: 'max' }] })[0])
      .toBe("apps: this looks like a PM2 ecosystem file: sticky takes one app per config; see README 'Coming from PM2'");
  });

  const cases: [key: string, value: unknown, line: string][] = [
    ['instances', 4, 'instances: unknown key; sticky calls it workers (a number or "auto")'],
    ['exec_mode', 'cluster', 'exec_mode: unknown key; sticky always runs its workers as a cluster: drop it'],
    ['max_memory_restart', '300M', 'max_memory_restart: unknown key; sticky calls it restart.maxMemory (e.g. "512M")'],
    ['kill_timeout', 3000, 'kill_timeout: unknown key; sticky calls it reload.killTimeoutMs'],
    ['wait_ready', true, 'wait_ready: unknown key; a worker is ready once its server listens, waited for up to reload.readyTimeoutMs: drop it'],
    ['listen_timeout', 8000, 'listen_timeout: unknown key; sticky calls it reload.readyTimeoutMs'],
    ['min_uptime', 1000, 'min_uptime: unknown key; sticky calls it restart.minUptimeMs'],
    ['max_restarts', 10, 'max_restarts: unknown key; sticky restarts a crashed worker every time, waiting longer each time up to restart.maxBackoffMs: drop it'],
    ['autorestart', true, 'autorestart: unknown key; sticky always restarts a crashed worker: drop it'],
    ['node_args', ['--max-old-space-size=512'], 'node_args: unknown key; sticky calls it execArgv (a list of strings)'],
    ['interpreter_args', '--harmony', 'interpreter_args: unknown key; sticky calls it execArgv (a list of strings)'],
    ['ignore_watch', ['node_modules'], 'ignore_watch: unknown key; sticky calls it watch.ignored'],
    ['out_file', './out.log', 'out_file: unknown key; sticky calls it log.file'],
    ['error_file', './err.log', 'error_file: unknown key; sticky calls it log.file (one file for both streams)'],
    ['log_file', './all.log', 'log_file: unknown key; sticky calls it log.file'],
    ['watch', true, 'watch: true is not false or an object like { paths: ["dist"] }; list what to watch, e.g. { paths: ["."] }'],
    ['watch', ['src'], 'watch: ["src"] is not false or an object like { paths: ["dist"] }; list what to watch, e.g. { paths: ["."] }'],
  ];

  test.each(cases)('%s', (key, value, line) => {
    expect(validateConfig({ script: './server.js', [key]: value })).toEqual([line]);
  });

  test('the keys PM2 and sticky share pass as they are', () => {
    expect(validateConfig({ name: 'api', script: './server.js', cwd: '.', args: ['--port', '3000'], env: { NODE_ENV: 'production' } })).toEqual([]);
  });

  test('hints do not reach nested objects, which keep "did you mean"', () => {
    expect(validateConfig({ script: 'x', reload: { kill_timeout: 1 } })).toEqual(['reload.kill_timeout: unknown key (did you mean "killTimeoutMs"?)']);
  });
});
