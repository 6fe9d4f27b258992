'use strict';
// This project: PrimaryServer (BalancerServer with its worker pool) from dist/ in the primary,
// adoptServer in the workers.
// BENCH_ROUTING picks the mode (ip | header | proxy-protocol); BENCH_ACCEPT, in ip mode, the
// accept path (kernel | primary; unset: the build's default).
const cluster = require('node:cluster');
const { WORKERS, PORT, announceWhenReady } = require('./common.js');
// BENCH_DIST points at another build of src/ (to measure a change against the one before it).
const DIST = process.env.BENCH_DIST || '../../dist';

const ROUTING = process.env.BENCH_ROUTING || 'ip';
const ACCEPT = process.env.BENCH_ACCEPT || undefined;

if (cluster.isPrimary) {
  const balancer = new (primaryServer())({ workers: WORKERS, ...routingOptions(ROUTING, ACCEPT) });
  // The ready line says which accept path the run measured, once it is known (listening).
  const listening = new Promise((resolve) => balancer.once('listening', resolve));
  announceWhenReady(WORKERS, { routing: ROUTING, get accept() { return balancer.accept; } }, listening);
  balancer.on('error', (err) => { process.stderr.write(`${err.stack}\n`); process.exit(1); });
  balancer.pool.start();
  balancer.listen(PORT, '127.0.0.1');
} else {
  // The app and the worker side load in workers only, so the primary's memory is the balancer's.
  const { adoptServer } = require(`${DIST}/worker/adopt.js`);
  const { createApp, signalReady } = require('../app/app.js');
  adoptServer(createApp().server);
  signalReady();
}

/** Builds before the pool left the balancer had BalancerServer own it. */
function primaryServer() {
  try {
    return require(`${DIST}/primary/primary-server.js`).PrimaryServer;
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err;
    return require(`${DIST}/balancer/primary.js`).BalancerServer;
  }
}

function routingOptions(by, accept) {
  if (by !== 'ip') return { routing: { by } };
  return accept ? { routing: { by, accept } } : {};
}
