/**
 * The one schema of a sticky config: every key, what it allows, its default. The config
 * file, start(config), the original sticky(options) and the BalancerServer all check
 * through here, so a value passes everywhere or nowhere, and each message names the key,
 * the value and what is allowed. Pure: the file-system checks (does `script` exist) live
 * in resolve.ts.
 */
import { isIP } from 'node:net';
import { isHeaderName } from '../routing/proxy-header.js';
import type { ResolvedRouting, RoutingConfig, StickyConfig } from './types.js';
import {
  boolean, checkKeys, describeInteger, integer, isPlainObject, keyPath, listOf, milliseconds, object, oneOf, recordOf,
  show, string, text, type Check, type ObjectShape,
} from './checks.js';

export const ROUTING_MODES = ['ip', 'header', 'proxy-protocol'] as const;
export type RoutingMode = (typeof ROUTING_MODES)[number];
/** How ip-mode connections reach workers (DESIGN "Accept path"). */
export const ACCEPT_MODES = ['auto', 'kernel', 'primary'] as const;
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/** Names become socket file names and log fields: keep them plain. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const NAME_RULE = 'is not a name of 1 to 64 letters, digits, ".", "_" or "-" (starting with a letter or digit)';
export const MAX_WORKERS = 1024;
const MAX_PORT = 65_535;
const UINT32_MAX = 0xffff_ffff;
/** Past a million waiting connections the primary runs out of descriptors long before. */
const MAX_PENDING = 1_000_000;
/** A client that has not sent its request head in an hour is not coming. */
const MAX_HEADER_TIMEOUT_MS = 3_600_000;
const MIN_HEADER_BYTES = 1024;
const MAX_HEADER_BYTES = 1024 * 1024;
/** restart.maxMemory below this is a number meant in MB, not bytes. */
const MIN_MEMORY_BYTES = 1024 * 1024;
const MIN_HEARTBEAT_MS = 10;

/** Every default of DESIGN.md, once. */
export const DEFAULTS = {
  port: 3000,
  host: '0.0.0.0',
  routing: {
    by: 'ip',
    accept: 'auto',
    seed: 0,
    maxPending: 10_000,
    header: 'x-forwarded-for',
    trustedHops: 1,
    ignoreMissingHeader: false,
    headerTimeoutMs: 10_000,
    maxHeaderBytes: 16_384,
  },
  broadcast: false,
  reload: { readyTimeoutMs: 10_000, drainTimeoutMs: 30_000, killTimeoutMs: 5_000 },
  restart: { minUptimeMs: 1_000, maxBackoffMs: 15_000 },
  health: { heartbeatMs: 1_000, timeoutMs: 10_000, handoffTimeoutMs: 2_000 },
  watch: { debounceMs: 250 },
  log: { level: 'info', maxSize: 10 * 1024 ** 2, keep: 5 },
  metrics: { host: '127.0.0.1' },
} as const;

const headerName: Check = (value, path, problems) => {
  if (typeof value !== 'string' || !isHeaderName(value)) problems.push(`${path}: ${show(value)} is not an HTTP header name`);
};

/** An IPv4 or IPv6 address, or a CIDR block of one (`10.0.0.0/8`, `fd00::/8`). */
export function isAddressOrCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash === -1) return isIP(value) !== 0;
  const family = isIP(value.slice(0, slash));
  const bits = value.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

const addressOrCidr: Check = (value, path, problems) => {
  if (typeof value !== 'string' || !isAddressOrCidr(value)) {
    problems.push(`${path}: ${show(value)} is not an IP address or CIDR block (like "10.0.0.0/8", "::1")`);
  }
};

interface RoutingField {
  check: Check;
  /** The modes it belongs to; absent: every mode. */
  modes?: readonly RoutingMode[];
}

export const ROUTING_FIELDS = {
  by: { check: oneOf(ROUTING_MODES) },
  seed: { check: integer(0, UINT32_MAX) },
  ipv4Prefix: { check: integer(1, 32) },
  ipv6Prefix: { check: integer(1, 128) },
  maxPending: { check: integer(1, MAX_PENDING) },
  accept: { check: oneOf(ACCEPT_MODES), modes: ['ip'] },
  header: { check: headerName, modes: ['header'] },
  trustedHops: { check: integer(1, 64), modes: ['header'] },
  ignoreMissingHeader: { check: boolean(), modes: ['header'] },
  headerTimeoutMs: { check: milliseconds(1, MAX_HEADER_TIMEOUT_MS), modes: ['header'] },
  maxHeaderBytes: { check: integer(MIN_HEADER_BYTES, MAX_HEADER_BYTES), modes: ['header'] },
  trustedProxies: { check: listOf(addressOrCidr, 'addresses or CIDR blocks', { nonEmpty: true }), modes: ['header', 'proxy-protocol'] },
} satisfies Record<string, RoutingField>;

/** `routing` (or what the BalancerServer is given): the keys of its mode, each in range. */
export const checkRouting: Check = (value, path, problems) => {
  if (!isPlainObject(value)) {
    problems.push(`${path}: ${show(value)} is not an object like { by: "ip" }`);
    return;
  }
  const by = value.by ?? DEFAULTS.routing.by;
  // With an unknown mode, judge the other keys against every mode: only `by` is wrong.
  const known = (ROUTING_MODES as readonly unknown[]).includes(by);
  const shape: Required<Pick<ObjectShape, 'fields' | 'misplaced'>> = { fields: {}, misplaced: {} };
  for (const [key, field] of Object.entries(ROUTING_FIELDS) as [string, RoutingField][]) {
    if (!known || !field.modes || field.modes.includes(by as RoutingMode)) {
      shape.fields[key] = field.check;
    } else {
      const modes = field.modes.map((mode) => `"${mode}"`).join(' or ');
      shape.misplaced[key] = `only allowed when ${keyPath(path, 'by')} is ${modes} (it is "${String(by)}")`;
    }
  }
  checkKeys(value, path, shape, problems);
};

/** Checked routing with the defaults of its mode filled in; the prefixes stay off unless set. */
export function routingWithDefaults(routing: RoutingConfig | undefined): ResolvedRouting {
  const r: Partial<Record<keyof typeof ROUTING_FIELDS, unknown>> = routing ?? {};
  const d = DEFAULTS.routing;
  const common = {
    seed: (r.seed as number | undefined) ?? d.seed,
    maxPending: (r.maxPending as number | undefined) ?? d.maxPending,
    ...(r.ipv4Prefix === undefined ? {} : { ipv4Prefix: r.ipv4Prefix as number }),
    ...(r.ipv6Prefix === undefined ? {} : { ipv6Prefix: r.ipv6Prefix as number }),
  };
  const trust = r.trustedProxies === undefined ? {} : { trustedProxies: [...(r.trustedProxies as string[])] };
  if (r.by === 'header') {
    return {
      ...common,
      by: 'header',
      header: ((r.header as string | undefined) ?? d.header).toLowerCase(),
      trustedHops: (r.trustedHops as number | undefined) ?? d.trustedHops,
      ignoreMissingHeader: (r.ignoreMissingHeader as boolean | undefined) ?? d.ignoreMissingHeader,
      headerTimeoutMs: (r.headerTimeoutMs as number | undefined) ?? d.headerTimeoutMs,
      maxHeaderBytes: (r.maxHeaderBytes as number | undefined) ?? d.maxHeaderBytes,
      ...trust,
    };
  }
  if (r.by === 'proxy-protocol') return { ...common, by: 'proxy-protocol', ...trust };
  return { ...common, by: 'ip', accept: (r.accept as (typeof ACCEPT_MODES)[number] | undefined) ?? d.accept };
}

/** A worker count as given (`sticky(num, ...)`, `sticky.listen(..., { workers })`). */
export const workerCount: Check = integer(1, MAX_WORKERS);

const workers: Check = (value, path, problems) => {
  if (value === 'auto') return;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_WORKERS) return;
  problems.push(`${path}: ${show(value)} is not "auto" or ${describeInteger(1, MAX_WORKERS)}`);
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([KMG])B?$/i;
const UNIT_BYTES = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as const;

/** Bytes from PM2's max_memory_restart forms: a number of bytes or "300K", "512M", "1.5G". */
export function parseSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  const match = SIZE.exec(value.trim());
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * UNIT_BYTES[match[2]!.toUpperCase() as keyof typeof UNIT_BYTES]);
}

const memorySize: Check = (value, path, problems) => {
  const bytes = typeof value === 'number' || typeof value === 'string' ? parseSize(value) : undefined;
  if (bytes === undefined || bytes < MIN_MEMORY_BYTES) {
    problems.push(`${path}: ${show(value)} is not a size of at least 1M (a number of bytes, or a string like "512M"; K, M, G)`);
  }
};

const MIN_LOG_FILE_BYTES = 1024;
const MAX_LOG_FILES_KEPT = 1000;

const logFileSize: Check = (value, path, problems) => {
  const bytes = typeof value === 'number' || typeof value === 'string' ? parseSize(value) : undefined;
  if (bytes === undefined || bytes < MIN_LOG_FILE_BYTES) {
    problems.push(`${path}: ${show(value)} is not a size of at least 1K (a number of bytes, or a string like "10M"; K, M, G)`);
  }
};

const healthFields = object({
  fields: {
    heartbeatMs: milliseconds(MIN_HEARTBEAT_MS),
    timeoutMs: milliseconds(1),
    handoffTimeoutMs: milliseconds(1),
  } satisfies Record<keyof NonNullable<StickyConfig['health']>, Check>,
});

const health: Check = (value, path, problems) => {
  const before = problems.length;
  healthFields(value, path, problems);
  if (problems.length > before || !isPlainObject(value)) return;
  const beat = (value.heartbeatMs as number | undefined) ?? DEFAULTS.health.heartbeatMs;
  const timeout = (value.timeoutMs as number | undefined) ?? DEFAULTS.health.timeoutMs;
  if (timeout <= beat) {
    const given = value.timeoutMs === undefined ? ' (the default)' : '';
    problems.push(`${keyPath(path, 'timeoutMs')}: ${timeout}${given} is not more than ${keyPath(path, 'heartbeatMs')} (${beat}); `
      + 'every worker would be unresponsive between two heartbeats');
  }
};

const watchPaths = object({
  fields: {
    paths: listOf(text(), 'paths', { nonEmpty: true }),
    debounceMs: milliseconds(0),
    ignored: listOf(text(), 'glob patterns'),
  } satisfies Record<keyof Exclude<StickyConfig['watch'], false | undefined>, Check>,
  required: { paths: 'list what to watch, e.g. ["dist"]' },
});

const watch: Check = (value, path, problems) => {
  if (value === false) return;
  if (!isPlainObject(value)) {
    // PM2 writes `watch: true` or `watch: ["src"]`.
    const hint = value === true || Array.isArray(value) ? '; list what to watch, e.g. { paths: ["."] }' : '';
    problems.push(`${path}: ${show(value)} is not false or an object like { paths: ["dist"] }${hint}`);
    return;
  }
  watchPaths(value, path, problems);
};

const port = integer(0, MAX_PORT);
const host = text(/^\S+$/, 'is not a host name or address');

const metrics: Check = (value, path, problems) => {
  if (value === false) return;
  if (!isPlainObject(value)) {
    problems.push(`${path}: ${show(value)} is not false or an object like { port: 9090 }`);
    return;
  }
  checkKeys(value, path, {
    fields: { port, host } satisfies Record<keyof Exclude<StickyConfig['metrics'], false | undefined>, Check>,
    required: { port: 'set the port Prometheus scrapes, e.g. 9090' },
  }, problems);
};

const renamed = (to: string): string => `unknown key; sticky calls it ${to}`;

/** What PM2 ecosystem keys are called here, or why they are not needed. */
export const PM2_HINTS: Record<string, string> = {
  apps: "this looks like a PM2 ecosystem file: sticky takes one app per config; see README 'Coming from PM2'",
  instances: renamed('workers (a number or "auto")'),
  exec_mode: 'unknown key; sticky always runs its workers as a cluster: drop it',
  max_memory_restart: renamed('restart.maxMemory (e.g. "512M")'),
  kill_timeout: renamed('reload.killTimeoutMs'),
  wait_ready: 'unknown key; a worker is ready once its server listens, waited for up to reload.readyTimeoutMs: drop it',
  listen_timeout: renamed('reload.readyTimeoutMs'),
  min_uptime: renamed('restart.minUptimeMs'),
  max_restarts: 'unknown key; sticky restarts a crashed worker every time, waiting longer each time up to restart.maxBackoffMs: drop it',
  autorestart: 'unknown key; sticky always restarts a crashed worker: drop it',
  node_args: renamed('execArgv (a list of strings)'),
  interpreter_args: renamed('execArgv (a list of strings)'),
  ignore_watch: renamed('watch.ignored'),
  out_file: renamed('log.file'),
  error_file: renamed('log.file (one file for both streams)'),
  log_file: renamed('log.file'),
};

export const STICKY_CONFIG_SHAPE: ObjectShape = {
  fields: {
    name: text(NAME_PATTERN, NAME_RULE),
    script: text(),
    cwd: text(),
    port,
    host,
    workers,
    routing: checkRouting,
    broadcast: oneOf(['cluster', false]),
    env: recordOf(string(), 'strings'),
    execArgv: listOf(string(), 'strings'),
    args: listOf(string(), 'strings'),
    reload: object({
      fields: { readyTimeoutMs: milliseconds(1), drainTimeoutMs: milliseconds(0), killTimeoutMs: milliseconds(0) },
    }),
    restart: object({ fields: { minUptimeMs: milliseconds(0), maxBackoffMs: milliseconds(100), maxMemory: memorySize } }),
    health,
    watch,
    log: object({
      fields: { level: oneOf(LOG_LEVELS), file: text(), maxSize: logFileSize, keep: integer(1, MAX_LOG_FILES_KEPT) },
    }),
    metrics,
  } satisfies Record<keyof StickyConfig, Check>,
  required: { script: 'set it to the worker entry, e.g. "./server.js"' },
  hints: PM2_HINTS,
};

/** Every problem with `value` as a sticky config, one line each (empty when it is valid). */
export function validateConfig(value: unknown): string[] {
  if (!isPlainObject(value)) {
    return [`config: ${show(value)} is not an object; export one, e.g. export default defineConfig({ script: "./server.js" })`];
  }
  const problems: string[] = [];
  checkKeys(value, '', STICKY_CONFIG_SHAPE, problems);
  return problems;
}
