/**
 * What a valid sticky config is, key by key. Pure: the file-system checks (does `script`
 * exist) live in resolve.ts so this can run anywhere.
 */
import type { CommonRouting, HeaderRouting, StickyConfig } from './types.js';
import {
  boolean, checkKeys, describeInteger, integer, isPlainObject, listOf, object, oneOf, recordOf, show, string, text,
  type Check, type ObjectShape,
} from './schema.js';

export const ROUTING_MODES = ['ip', 'header', 'proxy-protocol'] as const;
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/** Names become socket file names and log fields: keep them plain. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const NAME_RULE = 'is not a name of 1 to 64 letters, digits, ".", "_" or "-" (starting with a letter or digit)';
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_WORKERS = 1024;
const MAX_PORT = 65_535;
const UINT32_MAX = 0xffff_ffff;

const commonRouting = {
  by: oneOf(ROUTING_MODES),
  seed: integer(0, UINT32_MAX),
  ipv4Prefix: integer(1, 32),
  ipv6Prefix: integer(1, 128),
  maxPending: integer(1),
} satisfies Record<keyof CommonRouting | 'by', Check>;

const headerRouting = {
  header: text(HEADER_NAME, 'is not an HTTP header name'),
  trustedHops: integer(1),
  ignoreMissingHeader: boolean(),
  headerTimeoutMs: integer(1),
  maxHeaderBytes: integer(1024, 1024 * 1024),
} satisfies Record<Exclude<keyof HeaderRouting, 'by'>, Check>;

const routing: Check = (value, path, problems) => {
  if (!isPlainObject(value)) {
    problems.push(`${path}: ${show(value)} is not an object like { by: "ip" }`);
    return;
  }
  const by = value.by ?? 'ip';
  if (by === 'header' || !(ROUTING_MODES as readonly unknown[]).includes(by)) {
    // With an unknown mode, judge the other keys against every mode: only `by` is wrong.
    checkKeys(value, path, { fields: { ...commonRouting, ...headerRouting } }, problems);
    return;
  }
  const misplaced = Object.fromEntries(
    Object.keys(headerRouting).map((key) => [key, `only allowed when routing.by is "header" (it is "${String(by)}")`]),
  );
  checkKeys(value, path, { fields: commonRouting, misplaced }, problems);
};

const workers: Check = (value, path, problems) => {
  if (value === 'auto') return;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_WORKERS) return;
  problems.push(`${path}: ${show(value)} is not "auto" or ${describeInteger(1, MAX_WORKERS)}`);
};

const watchPaths = object({
  fields: {
    paths: listOf(text(), 'paths', { nonEmpty: true }),
    debounceMs: integer(0),
    ignored: listOf(text(), 'glob patterns'),
  } satisfies Record<keyof Exclude<StickyConfig['watch'], false | undefined>, Check>,
  required: { paths: 'list what to watch, e.g. ["dist"]' },
});

const watch: Check = (value, path, problems) => {
  if (value === false) return;
  if (!isPlainObject(value)) {
    problems.push(`${path}: ${show(value)} is not false or an object like { paths: ["dist"] }`);
    return;
  }
  watchPaths(value, path, problems);
};

export const STICKY_CONFIG_SHAPE: ObjectShape = {
  fields: {
    name: text(NAME_PATTERN, NAME_RULE),
    script: text(),
    cwd: text(),
    port: integer(0, MAX_PORT),
    host: text(/^\S+$/, 'is not a host name or address'),
    workers,
    routing,
    broadcast: oneOf(['cluster', false]),
    env: recordOf(string(), 'strings'),
    execArgv: listOf(string(), 'strings'),
    args: listOf(string(), 'strings'),
    reload: object({ fields: { readyTimeoutMs: integer(1), drainTimeoutMs: integer(0), killTimeoutMs: integer(0) } }),
    restart: object({ fields: { minUptimeMs: integer(0), maxBackoffMs: integer(100) } }),
    watch,
    log: object({ fields: { level: oneOf(LOG_LEVELS) } }),
  } satisfies Record<keyof StickyConfig, Check>,
  required: { script: 'set it to the worker entry, e.g. "./server.js"' },
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
