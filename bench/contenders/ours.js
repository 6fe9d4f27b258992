'use strict';
// This project: BalancerServer from dist/ in the primary, adoptServer in the workers.
// BENCH_ROUTING picks the mode (ip | header | proxy-protocol).
const cluster = require('node:cluster');
const { WORKERS, PORT, announceWhenReady } = require('./common.js');
// BENCH_DIST points at another build of src/ (to measure a change against the one before it).
const DIST = process.env.BENCH_DIST || '../../dist';
const { BalancerServer } = require(`${DIST}/balancer/primary.js`);
const { adoptServer } = require(`${DIST}/worker/adopt.js`);

const ROUTING = process.env.BENCH_ROUTING || 'ip';

if (cluster.isPrimary) {
  announceWhenReady(WORKERS, { routing: ROUTING });
  const balancer = new BalancerServer({ workers: WORKERS, ...routingOptions(ROUTING) });
  balancer.pool.start();
  balancer.listen(PORT, '127.0.0.1');
  // SIGHUP = rolling reload (DESIGN.md); one JSON line says when it is done.
  process.on('SIGHUP', () => {
    const t0 = performance.now();
    rollingReload(balancer).then(
      () => print({ reloaded: true, ms: performance.now() - t0 }),
      (err) => print({ reloaded: false, error: String(err && err.message) }),
    );
  });
} else {
  // The app loads in workers only, so the primary's memory is the balancer's.
  const { createApp, signalReady, exitGracefully } = require('../app/app.js');
  const { server, io } = createApp();
  exitGracefully(io);
  adoptServer(server);
  signalReady();
}

function print(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

/**
 * The supervisor's reload when this build has one; otherwise the same steps on the worker
 * pool's own primitives: per slot fork the new worker, let it take the slot when ready, then
 * drain the old one without waiting (the next slot starts at once); done when all old exited.
 */
async function rollingReload(balancer) {
  if (typeof balancer.reload === 'function') return balancer.reload();
  const pool = balancer.pool;
  const exits = [];
  for (const slot of pool.slots) {
    const old = slot.current;
    if (old) slot.draining.add(old);
    const next = pool.fork(slot);
    await new Promise((resolve, reject) => {
      const online = (w) => { if (w === next) { done(); resolve(); } };
      const exit = (w) => { if (w === next) { done(); reject(new Error(`new worker of slot ${slot.index} exited`)); } };
      const done = () => { pool.off('online', online); pool.off('exit', exit); };
      pool.on('online', online);
      pool.on('exit', exit);
    });
    if (old) exits.push(pool.retire(old));
  }
  await Promise.all(exits);
}

function routingOptions(by) {
  if (by === 'ip') return {};
  // Header and PROXY protocol modes come with the proxy issue; this is the hook they plug into.
  return { routing: { by } };
}
