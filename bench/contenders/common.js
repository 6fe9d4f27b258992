'use strict';
// What every contender's primary does besides its own setup: wait until each worker says
// it can serve, then print one JSON line the harness waits for.
const cluster = require('node:cluster');

const WORKERS = Number(process.env.BENCH_WORKERS || 2);
const PORT = Number(process.env.BENCH_PORT);

// A clean exit on SIGTERM, so --cpu-prof writes its profile; workers follow their primary.
if (cluster.isPrimary) process.on('SIGTERM', () => process.exit(0));

/**
 * In the primary: prints {"ready":true,...} once `count` workers sent benchReady and `gate`
 * (e.g. the balancer listening, which kernel accept's self-test delays) has resolved.
 */
function announceWhenReady(count = WORKERS, extra = {}, gate = Promise.resolve()) {
  const ready = new Set();
  cluster.on('message', (worker, msg) => {
    if (!msg || typeof msg !== 'object' || !msg.benchReady) return;
    ready.add(msg.benchReady);
    if (ready.size === count) void gate.then(() => announce({ workers: [...ready], ...extra }));
  });
}

function announce(fields) {
  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid, ...fields })}\n`);
}

module.exports = { WORKERS, PORT, announceWhenReady, announce };
