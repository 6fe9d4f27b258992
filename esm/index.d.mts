import sticky = require('../dist/index.js');

export default sticky;
export declare const listen: typeof sticky.listen;
export declare const start: typeof sticky.start;
export declare const defineConfig: typeof sticky.defineConfig;
export type StickyConfig = sticky.StickyConfig;
export type ResolvedConfig = sticky.ResolvedConfig;
export type RoutingConfig = sticky.RoutingConfig;
