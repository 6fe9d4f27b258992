// Every option of sticky.config.ts with its default (type-checked by `npm run build`).
// Try it: npx sticky start --config sticky.config.example.ts
import { defineConfig } from 'socketio-sticky-session';

export default defineConfig({
  name: 'example',                    // names the control socket, logs and dashboard
  script: './templates/default/server.js', // default export () => Server | Promise<Server>
  cwd: '.',                           // the workers' working directory
  port: 3000,                         // 0 = any free port, reported in status and logs
  host: '0.0.0.0',
  workers: 'auto',                    // or a number; auto = os.availableParallelism()
  routing: {
    by: 'ip',                         // | 'header' (with header, trustedHops, ignoreMissingHeader,
                                      //   headerTimeoutMs, maxHeaderBytes, trustedProxies)
                                      // | 'proxy-protocol' (with trustedProxies)
    accept: 'auto',                   // ip mode: 'kernel' (SO_REUSEPORT per slot) | 'primary' | 'auto'
    seed: 0,                          // change it to reshuffle which worker a client lands on
    maxPending: 10_000,               // connections waiting for a worker (at most 1e6); beyond it, closed
    // ipv4Prefix: 24, ipv6Prefix: 64, // keep clients with rotating addresses together
  },
  broadcast: false,                   // 'cluster': relay @socket.io/cluster-adapter traffic
  env: { NODE_ENV: 'production' },
  execArgv: [],
  args: [],
  // Every *Ms value is an integer of at most 2147483647 (2^31-1, Node's timer limit).
  reload: { readyTimeoutMs: 10_000, drainTimeoutMs: 30_000, killTimeoutMs: 5_000 },
  restart: { minUptimeMs: 1_000, maxBackoffMs: 15_000 }, // maxMemory: '512M' replaces a worker above it (default off)
  health: { heartbeatMs: 1_000, timeoutMs: 10_000, handoffTimeoutMs: 2_000 },
  watch: false,                       // or { paths: ['dist'], debounceMs: 250, ignored: [] }
  log: { level: 'info' },             // file: 'logs/sticky.log' also writes the records there
  metrics: false,                     // or { port: 9090, host: '127.0.0.1' }: Prometheus text at /metrics
});
