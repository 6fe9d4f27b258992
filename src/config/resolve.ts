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
import { DEFAULTS, NAME_PATTERN, parseSize, routingWithDefaults, validateConfig } from './schema.js';
import { show } from './checks.js';

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
  const { watch, reload, restart, health, log, metrics } = config;
  return {
    name: config.name ?? defaultName(baseDir),
    configFile,
    script: path.resolve(baseDir, config.script),
    cwd: path.resolve(baseDir, config.cwd ?? '.'),
    port: config.port ?? DEFAULTS.port,
    host: config.host ?? DEFAULTS.host,
    workers: config.workers === undefined || config.workers === 'auto' ? availableParallelism() : config.workers,
    routing: routingWithDefaults(config.routing),
    broadcast: config.broadcast ?? DEFAULTS.broadcast,
    env: { ...config.env },
    execArgv: [...(config.execArgv ?? [])],
    args: [...(config.args ?? [])],
    reload: {
      readyTimeoutMs: reload?.readyTimeoutMs ?? DEFAULTS.reload.readyTimeoutMs,
      drainTimeoutMs: reload?.drainTimeoutMs ?? DEFAULTS.reload.drainTimeoutMs,
      killTimeoutMs: reload?.killTimeoutMs ?? DEFAULTS.reload.killTimeoutMs,
    },
    restart: {
      minUptimeMs: restart?.minUptimeMs ?? DEFAULTS.restart.minUptimeMs,
      maxBackoffMs: restart?.maxBackoffMs ?? DEFAULTS.restart.maxBackoffMs,
      maxMemory: restart?.maxMemory === undefined ? undefined : parseSize(restart.maxMemory),
    },
    health: {
      heartbeatMs: health?.heartbeatMs ?? DEFAULTS.health.heartbeatMs,
      timeoutMs: health?.timeoutMs ?? DEFAULTS.health.timeoutMs,
      handoffTimeoutMs: health?.handoffTimeoutMs ?? DEFAULTS.health.handoffTimeoutMs,
    },
    watch: watch
      ? {
        paths: watch.paths.map((entry) => path.resolve(baseDir, entry)),
        debounceMs: watch.debounceMs ?? DEFAULTS.watch.debounceMs,
        ignored: [...(watch.ignored ?? [])],
      }
      : false,
    log: {
      level: log?.level ?? DEFAULTS.log.level,
      file: log?.file === undefined ? undefined : path.resolve(baseDir, log.file),
      maxSize: log?.maxSize === undefined ? DEFAULTS.log.maxSize : parseSize(log.maxSize)!,
      keep: log?.keep ?? DEFAULTS.log.keep,
    },
    metrics: metrics ? { port: metrics.port, host: metrics.host ?? DEFAULTS.metrics.host } : false,
  };
}
