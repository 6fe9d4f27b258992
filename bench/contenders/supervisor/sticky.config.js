// This project's supervisor (`sticky start`) serving the bench app, for the reload suite.
// The harness sets the port, worker count and a name of its own.
module.exports = {
  name: process.env.BENCH_NAME || 'sticky-bench',
  script: './worker.js',
  host: '127.0.0.1',
  port: Number(process.env.BENCH_PORT),
  workers: Number(process.env.BENCH_WORKERS || 2),
  log: { level: 'warn' },
};
