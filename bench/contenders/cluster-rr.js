'use strict';
// Node's cluster with its default round-robin scheduling: not sticky, the reference figure.
const cluster = require('node:cluster');
const { WORKERS, PORT, announceWhenReady } = require('./common.js');

cluster.schedulingPolicy = cluster.SCHED_RR;
if (cluster.isPrimary) {
  announceWhenReady();
  for (let i = 0; i < WORKERS; i++) cluster.fork();
} else {
  // The app loads in workers only, so the primary's memory is the balancer's.
  const { createApp, signalReady } = require('../app/app.js');
  createApp().server.listen(PORT, '127.0.0.1', signalReady);
}
