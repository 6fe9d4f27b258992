// ESM entry: the package is built as CommonJS (so require() returns the callable sticky());
// this file re-exports it with named exports for `import`.
import sticky from '../dist/index.js';

export default sticky;
export const listen = sticky.listen;
export const start = sticky.start;
export const defineConfig = sticky.defineConfig;
