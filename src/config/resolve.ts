/**
 * From what the user wrote to what the supervisor runs: validate, check the files it
 * names, fill in the defaults of DESIGN.md and make paths absolute (relative to the
 * config file's folder).
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { StickyConfigError } from '../errors.js';
import type { ResolvedConfig, StickyConfig } from './types.js';
import { NAME_PATTERN, validateConfig } from './validate.js';
import { show } from './schema.js';

export const DEFAULTS = {
  port: 3000,
  host: '0.0.0.0',
  seed: 0,
  maxPending: 10_000,
  header: 'x-forwarded-for',
  trustedHops: 1,
  ignoreMissingHeader: false,
  headerTimeoutMs: 10_000,
  maxHeaderBytes: 16_384,
  readyTimeoutMs: 10_000,
  drainTimeoutMs: 30_000,
  killTimeoutMs: 5_000,
  minUptimeMs: 1_000,
  maxBackoffMs: 15_000,
  debounceMs: 250,
  logLevel: 'info',
} as const;

const FALLBACK_NAME = 'sticky';

export interface ResolveOptions {
  /** Absolute path of the file the config came from; its folder anchors relative paths. */
  configFile?: string;
  /** Folder for relative paths when there is no file. Default: process.cwd(). */
  baseDir?: string;
}

/** Validates `raw` and returns it resolved; throws StickyConfigError listing every problem. */
export function resolveConfig(raw: unknown, options: ResolveOptions = {}): ResolvedConfig {
  const baseDir = options.configFile ? configBaseDir(options.configFile) : path.resolve(options.baseDir ?? '.');
  const problems = validateConfig(raw);
  const config = raw as StickyConfig;
  if (problems.length === 0) problems.push(...checkPaths(config, baseDir));
  if (problems.length > 0) throw new StickyConfigError(problems, { file: options.configFile });
  return applyDefaults(config, baseDir, options.configFile);
}

/**
 * The folder a config file's relative paths (and default name) come from: its own, or
 * for `.config/stickyrc*` the project folder above it.
 */
export function configBaseDir(configFile: string): string {
  const dir = path.dirname(path.resolve(configFile));
  return path.basename(dir) === '.config' ? path.dirname(dir) : dir;
}

/** The name a config folder gives when the config sets none: its basename, made socket-safe. */
export function defaultName(dir: string): string {
  const name = path.basename(path.resolve(dir))
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64)
    .replace(/[-._]+$/, '');
  return NAME_PATTERN.test(name) ? name : FALLBACK_NAME;
}

function checkPaths(config: StickyConfig, baseDir: string): string[] {
  const problems: string[] = [];
  const script = path.resolve(baseDir, config.script);
  const scriptKind = kindOf(script);
  if (scriptKind !== 'file') {
    problems.push(`script: ${show(config.script)} ${scriptKind === 'missing' ? 'does not exist' : 'is a folder, not a file'} (resolved to ${script})`);
  }
  if (config.cwd !== undefined) {
    const cwd = path.resolve(baseDir, config.cwd);
    if (kindOf(cwd) !== 'folder') problems.push(`cwd: ${show(config.cwd)} is not an existing folder (resolved to ${cwd})`);
  }
  return problems;
}

function kindOf(file: string): 'file' | 'folder' | 'missing' {
  const stats = statSync(file, { throwIfNoEntry: false });
  if (!stats) return 'missing';
  return stats.isDirectory() ? 'folder' : 'file';
}

function applyDefaults(config: StickyConfig, baseDir: string, configFile: string | undefined): ResolvedConfig {
  const routing = config.routing ?? { by: 'ip' };
  const common = {
    seed: routing.seed ?? DEFAULTS.seed,
    maxPending: routing.maxPending ?? DEFAULTS.maxPending,
    ...(routing.ipv4Prefix === undefined ? {} : { ipv4Prefix: routing.ipv4Prefix }),
    ...(routing.ipv6Prefix === undefined ? {} : { ipv6Prefix: routing.ipv6Prefix }),
  };
  const by = routing.by ?? 'ip';
  const resolvedRouting: ResolvedConfig['routing'] = routing.by === 'header'
    ? {
      ...common,
      by: 'header',
      header: (routing.header ?? DEFAULTS.header).toLowerCase(),
      trustedHops: routing.trustedHops ?? DEFAULTS.trustedHops,
      ignoreMissingHeader: routing.ignoreMissingHeader ?? DEFAULTS.ignoreMissingHeader,
      headerTimeoutMs: routing.headerTimeoutMs ?? DEFAULTS.headerTimeoutMs,
      maxHeaderBytes: routing.maxHeaderBytes ?? DEFAULTS.maxHeaderBytes,
    }
    : { ...common, by: by === 'proxy-protocol' ? 'proxy-protocol' : 'ip' };
  const watch = config.watch;
  return {
    name: config.name ?? defaultName(baseDir),
    configFile,
    script: path.resolve(baseDir, config.script),
    cwd: path.resolve(baseDir, config.cwd ?? '.'),
    port: config.port ?? DEFAULTS.port,
    host: config.host ?? DEFAULTS.host,
    workers: config.workers === undefined || config.workers === 'auto' ? availableParallelism() : config.workers,
    routing: resolvedRouting,
    broadcast: config.broadcast ?? false,
    env: { ...config.env },
    execArgv: [...(config.execArgv ?? [])],
    args: [...(config.args ?? [])],
    reload: {
      readyTimeoutMs: config.reload?.readyTimeoutMs ?? DEFAULTS.readyTimeoutMs,
      drainTimeoutMs: config.reload?.drainTimeoutMs ?? DEFAULTS.drainTimeoutMs,
      killTimeoutMs: config.reload?.killTimeoutMs ?? DEFAULTS.killTimeoutMs,
    },
    restart: {
      minUptimeMs: config.restart?.minUptimeMs ?? DEFAULTS.minUptimeMs,
      maxBackoffMs: config.restart?.maxBackoffMs ?? DEFAULTS.maxBackoffMs,
    },
    watch: watch
      ? {
        paths: watch.paths.map((entry) => path.resolve(baseDir, entry)),
        debounceMs: watch.debounceMs ?? DEFAULTS.debounceMs,
        ignored: [...(watch.ignored ?? [])],
      }
      : false,
    log: { level: config.log?.level ?? DEFAULTS.logLevel },
  };
}
