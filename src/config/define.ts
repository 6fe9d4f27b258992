import type { StickyConfig } from './types.js';

/** Returns `config` unchanged; it is there so editors type-check and complete `sticky.config.ts`. */
export function defineConfig(config: StickyConfig): StickyConfig {
  return config;
}
