// sticky.config.ts — read by `sticky start`, `sticky reload`, `sticky status` and `sticky stop`
// in this folder. Every option but `script` is optional; the values shown commented out are
// the defaults. Relative paths are relative to this file.
import { defineConfig } from 'socketio-sticky-session';

export default defineConfig({
  // The worker entry: its default export returns your server (or a promise of one), or it
  // calls listen() itself, as when it runs alone. Every worker runs it and gets the connections.
  script: './server.js',

  // name: 'my-app',             // default: this folder's name; names the control socket and logs
  // port: 3000,                 // 0 = any free port (logged, and shown by `sticky status`)
  // host: '0.0.0.0',
  // workers: 'auto',            // or a number; 'auto' = one per CPU core

  // Which worker a client sticks to:
  //   { by: 'ip' }              the TCP peer address (direct connections)
  //   { by: 'header', header: 'x-forwarded-for', trustedHops: 1 }    behind an HTTP proxy
  //   { by: 'proxy-protocol' }  behind HAProxy / AWS NLB / nginx sending the PROXY protocol
  // routing: { by: 'ip' },

  // env: { NODE_ENV: 'production' },
  // reload: { readyTimeoutMs: 10_000, drainTimeoutMs: 30_000, killTimeoutMs: 5_000 },
  // restart: { minUptimeMs: 1_000, maxBackoffMs: 15_000 },
  // watch: { paths: ['server.js'], debounceMs: 250 },   // reload when these change; default off
  // log: { level: 'info' },
});
