// Compiled by tsconfig.check.json (CommonJS resolution: dist/index.d.ts). Each expected
// error below must occur (an unused one fails the check), so each proves a mistake is caught.
import sticky = require('socketio-sticky-session');
import { defineConfig, type StickyConfig } from 'socketio-sticky-session';

const full: StickyConfig = defineConfig({
  script: './server.js',
  workers: 4,
  routing: { by: 'header', header: 'x-real-ip', trustedHops: 2, ignoreMissingHeader: true, seed: 7, ipv4Prefix: 24 },
  watch: { paths: ['dist'], debounceMs: 100, ignored: ['**/*.map'] },
});
sticky.defineConfig(full);
defineConfig({ script: 'x', routing: { by: 'proxy-protocol', maxPending: 5 }, broadcast: 'cluster', watch: false });
defineConfig({
  script: 'x',
  routing: { by: 'ip', accept: 'kernel' },
  reload: { killTimeoutMs: 5_000 },
  restart: { maxMemory: '512M' },
  health: { heartbeatMs: 1_000, timeoutMs: 10_000, handoffTimeoutMs: 2_000 },
  log: { file: 'logs/app.log' },
  metrics: { port: 9090 },
});
defineConfig({ script: 'x', routing: { by: 'header', trustedProxies: ['10.0.0.0/8'] }, restart: { maxMemory: 536_870_912 }, metrics: false });

// @ts-expect-error script is required
defineConfig({ port: 3000 });
// @ts-expect-error unknown key
defineConfig({ script: 'x', prot: 3000 });
// @ts-expect-error routing.by is one of ip, header, proxy-protocol
defineConfig({ script: 'x', routing: { by: 'hedaer' } });
// @ts-expect-error header options only exist in header mode
defineConfig({ script: 'x', routing: { by: 'ip', trustedHops: 2 } });
// @ts-expect-error workers is a number or 'auto'
defineConfig({ script: 'x', workers: 'all' });
// @ts-expect-error env values are strings
defineConfig({ script: 'x', env: { PORT: 3000 } });
// @ts-expect-error log levels are pino's
defineConfig({ script: 'x', log: { level: 'verbose' } });
// @ts-expect-error accept is an ip-mode option
defineConfig({ script: 'x', routing: { by: 'header', accept: 'kernel' } });
// @ts-expect-error trustedProxies only exists in header and proxy-protocol modes
defineConfig({ script: 'x', routing: { by: 'ip', trustedProxies: ['10.0.0.1'] } });
// @ts-expect-error metrics needs a port
defineConfig({ script: 'x', metrics: { host: '127.0.0.1' } });
