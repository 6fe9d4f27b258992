export type { StickyConfig, ResolvedConfig, RoutingConfig, ResolvedRouting } from './types.js';
export { loadConfig, readConfigFile, SEARCH_PLACES, type ConfigFile, type FindOptions } from './load.js';
export { resolveConfig, configBaseDir, defaultName, type ResolveOptions } from './resolve.js';
export { validateConfig, DEFAULTS } from './schema.js';
export { defineConfig } from './define.js';
