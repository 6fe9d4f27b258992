// Compiled by tsconfig.check.json as ESM (resolution: esm/index.d.mts).
import sticky, { defineConfig, type StickyConfig } from 'socketio-sticky-session';

const config: StickyConfig = defineConfig({ script: './server.js', port: 0, workers: 'auto' });
sticky.defineConfig(config);

// @ts-expect-error port is a number
defineConfig({ script: 'x', port: '3000' });
// @ts-expect-error watch needs paths
defineConfig({ script: 'x', watch: { debounceMs: 10 } });
