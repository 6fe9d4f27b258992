'use strict';
// Node's cluster with its default round-robin scheduling: not sticky, the reference figure.
const cluster = require('node:cluster');
const { createApp, signalReady } = require('../app/app.js');
const { WORKERS, PORT, announceWhenReady } = require('./common.js');

cluster.schedulingPolicy = cluster.SCHED_RR;
if (cluster.isPrimary) {
  announceWhenReady();
  for (let i = 0; i < WORKERS; i++) cluster.fork();
} else {
  createApp().server.listen(PORT, '127.0.0.1', signalReady);
}
