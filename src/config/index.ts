export type { StickyConfig, ResolvedConfig, RoutingConfig } from './types.js';
export { loadConfig, readConfigFile, SEARCH_PLACES, type ConfigFile, type FindOptions } from './load.js';
export { resolveConfig, configBaseDir, defaultName, DEFAULTS, type ResolveOptions } from './resolve.js';
export { validateConfig } from './validate.js';
export { defineConfig } from './define.js';
