/**
 * Finding and reading the config file with cosmiconfig. Every read is fresh (no module
 * cache), so a reload picks up an edited config.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cosmiconfig, type Loader } from 'cosmiconfig';
import { StickyConfigError } from '../errors.js';
import type { ResolvedConfig } from './types.js';
import { resolveConfig } from './resolve.js';
import { loadTs } from './ts-loader.js';

const MODULE_NAME = 'sticky';
const PACKAGE_NAME = 'socketio-sticky-session';
/** cosmiconfig loads `x.ts` through a temporary `x.ts.<uuid>.mjs`. */
const TEMPORARY_COPY = /(\.m?ts)\.[0-9a-f-]{36}\.mjs/g;

/** Where discovery looks, first match wins, in every folder from the start up to the project root. */
export const SEARCH_PLACES = [
  'sticky.config.ts',
  'sticky.config.mts',
  'sticky.config.js',
  'sticky.config.mjs',
  'sticky.config.cjs',
  'sticky.config.json',
  '.stickyrc',
  '.stickyrc.json',
  '.stickyrc.yaml',
  '.stickyrc.yml',
  '.stickyrc.ts',
  '.stickyrc.js',
  '.stickyrc.mjs',
  '.stickyrc.cjs',
  '.config/stickyrc',
  '.config/stickyrc.json',
  '.config/stickyrc.yaml',
  '.config/stickyrc.yml',
  '.config/stickyrc.ts',
  '.config/stickyrc.js',
  '.config/stickyrc.mjs',
  '.config/stickyrc.cjs',
  'package.json',
];

export interface FindOptions {
  /** `--config F`: this file, no discovery. */
  configFile?: string;
  /** Where discovery starts. Default: process.cwd(). */
  cwd?: string;
}

export interface ConfigFile {
  filepath: string;
  /** What the file exports (for package.json, its "sticky" key), not yet validated. */
  config: unknown;
}

let freshLoads = 0;

/** import() with a new URL each time, and the CommonJS cache cleared, so edits are seen. */
const loadJsFresh: Loader = async (filepath) => {
  delete require.cache[filepath];
  const url = pathToFileURL(filepath);
  url.search = `?sticky-load=${++freshLoads}`;
  const loaded = (await import(url.href)) as { default?: unknown };
  return loaded.default;
};

function explorer() {
  return cosmiconfig(MODULE_NAME, {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'project',
    cache: false,
    loaders: { '.js': loadJsFresh, '.mjs': loadJsFresh, '.cjs': loadJsFresh, '.ts': loadTs, '.mts': loadTs },
  });
}

/** Finds and reads the config; a missing or unreadable one throws StickyConfigError. */
export async function readConfigFile(options: FindOptions = {}): Promise<ConfigFile> {
  const cwd = path.resolve(options.cwd ?? '.');
  const filepath = options.configFile === undefined ? undefined : path.resolve(cwd, options.configFile);
  if (filepath !== undefined && !existsSync(filepath)) {
    throw new StickyConfigError([`--config: "${options.configFile}" does not exist (resolved to ${filepath})`]);
  }
  let result;
  try {
    result = filepath === undefined ? await explorer().search(cwd) : await explorer().load(filepath);
  } catch (error) {
    const file = (error as { filepath?: string }).filepath ?? filepath;
    throw new StickyConfigError([`cannot load the config: ${oneLine(error)}`], { cause: error, file });
  }
  if (result === null) {
    throw new StickyConfigError([
      `no sticky config found in ${cwd} or its parents up to the project root `
      + `(looked for sticky.config.ts, .js, .mjs, .cjs, .json, .stickyrc*, package.json "sticky"); `
      + 'create one with `sticky init`, or pass --config FILE',
    ]);
  }
  if (result.isEmpty || result.config === undefined) {
    throw new StickyConfigError(['the config is empty; export one, e.g. export default defineConfig({ script: "./server.js" })'], {
      file: result.filepath,
    });
  }
  return { filepath: result.filepath, config: result.config };
}

/** Finds, reads, validates and resolves the config: what `sticky start` runs. */
export async function loadConfig(options: FindOptions = {}): Promise<ResolvedConfig> {
  const { filepath, config } = await readConfigFile(options);
  return resolveConfig(config, { configFile: filepath });
}

/** The loader's error on one line, naming the user's file rather than cosmiconfig's temporary copy. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  const line = message.replace(/\s*\n\s*/g, ' ').replace(TEMPORARY_COPY, '$1').trim();
  return line.includes(`Cannot find package '${PACKAGE_NAME}'`)
    ? `${line}; install it in this project: npm install ${PACKAGE_NAME}`
    : line;
}
